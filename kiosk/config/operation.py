"""Staff-file sections for running a station: display, storage, fleet, staff, logging, dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.config.strict import STRICT
from vision.settings import (
    empty_to_none,
)


class DisplayConfig(BaseModel):
    """The screen."""

    model_config = STRICT

    width: int = Field(
        800,
        ge=320,
        le=3840,
        description=(
            "Window or screen size in pixels: width 320-3840 (default 800), height 240-2160 "
            '(default 480, the official 7" touch display).'
        ),
    )
    height: int = Field(
        480,
        ge=240,
        le=2160,
        description=(
            "Window or screen size in pixels: width 320-3840 (default 800), height 240-2160 "
            '(default 480, the official 7" touch display).'
        ),
    )
    fullscreen: bool = Field(True, description="Fill the whole screen.")
    driver: Literal["auto", "kmsdrm", "x11", "wayland", "dummy", "offscreen"] = Field(
        "auto",
        description=(
            'SDL video driver: "auto" (kmsdrm on a console-only Pi, else the desktop\'s), '
            '"kmsdrm", "x11", "wayland", "dummy" or "offscreen" (headless).'
        ),
    )
    fps: int = Field(30, ge=10, le=60, description="Screen refresh, frames/s, 10-60.")
    wait_s: float = Field(
        150.0,
        ge=0,
        le=170,
        description=(
            "Under systemd, a display that cannot be opened (screen unplugged, HDMI not up yet) "
            "is retried with growing pauses for this many seconds, 0-170, before the kiosk exits "
            "with the reason (systemd then restarts it slowly instead of in a tight loop)."
        ),
    )


class StorageConfig(BaseModel):
    """Where sessions and members are kept."""

    model_config = STRICT

    data_dir: Path | None = Field(None, description="Where members and sessions are kept (SQLite).")
    retention_days: int = Field(
        365, ge=1, le=3650, description="Session samples older than this are deleted, days, 1-3650."
    )
    backups_keep: int = Field(
        7,
        ge=0,
        le=365,
        description=(
            "Daily online copies of the database kept in <data dir>/backups, 0-365 (0 = none)."
        ),
    )

    _data_dir_empty = field_validator("data_dir", mode="before")(empty_to_none)


class FleetConfig(BaseModel):
    """A central PostgreSQL shared by every station of the gym (empty = this station alone)."""

    # a refused database URL may hold a password: pydantic's message must not repeat it
    model_config = ConfigDict(**STRICT, hide_input_in_errors=True)

    database: str = Field(
        "",
        max_length=500,
        description="Several stations sharing one member list and history on a central PostgreSQL",
    )
    password_file: Path | None = Field(
        None,
        description=(
            "File holding this station's database password (one line, readable by the backstep "
            "user only), else the BACKSTEP_FLEET_PASSWORD environment variable, else ~/.pgpass."
        ),
    )
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = Field(
        "prefer",
        description=(
            'TLS to the server: "disable", "allow", "prefer", "require", "verify-ca" or '
            '"verify-full".'
        ),
    )
    sync_interval_s: float = Field(
        10.0, ge=1, le=3600, description="Seconds between outbox uploads, 1-3600."
    )
    lookup_timeout_s: float = Field(
        1.0,
        gt=0,
        le=1.0,
        description=(
            "Check-in waits at most this long for the server, then uses this station's copy, s, "
            "0-1."
        ),
    )
    connect_timeout_s: int = Field(
        3,
        ge=2,
        le=60,
        description="Seconds to wait when connecting (libpq; 2 is its minimum), 2-60.",
    )

    _password_file_empty = field_validator("password_file", mode="before")(empty_to_none)

    @field_validator("database")
    @classmethod
    def _no_password_in_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        value = value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ValueError("must start with postgresql://")
        if parts.password is not None or "password=" in parts.query:
            # the staff screen shows this file; the password lives in password_file or the env
            raise ValueError("must not contain a password: use fleet.password_file")
        return value

    @property
    def enabled(self) -> bool:
        """True when a central database is set."""
        return bool(self.database)


class StaffConfig(BaseModel):
    """Access to the staff screen."""

    model_config = STRICT

    pin: str = Field(
        "2468", pattern=r"^[0-9]{4,8}$", description="PIN for the staff screen, 4-8 digits."
    )
    kiosk_mode: bool = Field(
        False,
        description=(
            'Kiosk mode: Ctrl+Q and closing the window do not quit; only "Quit kiosk" in the '
            "staff menu (behind the PIN) does."
        ),
    )


class LoggingConfig(BaseModel):
    """Log verbosity."""

    model_config = STRICT

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description='Log level: "DEBUG", "INFO", "WARNING" or "ERROR".'
    )


class DashboardConfig(BaseModel):
    """The trainers' web dashboard (``backstep dashboard``): where it listens, attention rules."""

    model_config = STRICT

    host: str = Field(
        "127.0.0.1", min_length=1, max_length=253, description="Address to listen on."
    )
    port: int = Field(8080, ge=1, le=65535, description="TCP port, 1-65535.")
    secure_cookies: bool = Field(
        False,
        description=(
            "Send the login cookie over HTTPS only: set true when a TLS proxy serves the dashboard."
        ),
    )
    session_hours: float = Field(
        8.0, ge=0.25, le=168, description="A login lasts this many hours, 0.25-168."
    )
    session_idle_minutes: float = Field(
        60.0,
        ge=1,
        le=1440,
        description=(
            "A login nobody has used for this many minutes ends on the server (the browser must "
            "log in again), 1-1440."
        ),
    )
    max_failed_logins: int = Field(
        5,
        ge=1,
        le=100,
        description=(
            "Failed logins of one name from one address (and from one address in all) before "
            "it must wait, 1-100."
        ),
    )
    lockout_minutes: float = Field(
        15.0,
        ge=1,
        le=1440,
        description=(
            "The longest such wait, minutes, 1-1440; after this long without failures all is "
            "forgiven."
        ),
    )
    missed_after_days: int = Field(
        7,
        ge=1,
        le=90,
        description=(
            '"Needs attention" on the member list (engineering defaults, eng.: the advice gives '
            "no session frequency; the Kachanathu 2016 programme trained several times a week): "
            "no session for this many days counts as missed sessions, 1-90."
        ),
    )
    regression_upright_drop: float = Field(
        0.10,
        ge=0.01,
        le=1,
        description=(
            "Latest upright share this far below the member's previous three sessions, 0.01-1."
        ),
    )
    regression_core_drop: float = Field(
        10.0,
        ge=1,
        le=100,
        description=(
            "Latest core score this far below the member's previous three sessions, 1-100."
        ),
    )
    takeaway_minutes: float = Field(
        15.0,
        ge=1,
        le=240,
        description="The link works once, for this many minutes, 1-240.",
    )
    public_url: str = Field(
        "",
        max_length=200,
        pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$",
        description='The address phones use for the dashboard, e.g. "http://192.168.1.20:8080".',
    )
