"""One-time, short-lived tokens that let a member open their own session on a phone (LAN)."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config.schema import DashboardConfig

logger = logging.getLogger(__name__)

#: The dashboard's path for a take-away page; the token follows it.
TAKEAWAY_PATH = "/take/"


@dataclass(frozen=True, slots=True)
class TakeawayOffer:
    """A token made at the end of a session and the URL the summary's QR code carries."""

    token: str
    url: str


def new_token() -> str:
    """A random token (128 bits, URL-safe): it is the only key to the page, so unguessable."""
    return secrets.token_urlsafe(16)


def lan_address() -> str | None:
    """This machine's address on the local network, or None (no network).

    A UDP "connect" sends nothing: it only asks the kernel which interface would be used.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def base_url(host: str, port: int, public_url: str = "") -> str | None:
    """Where a phone on the gym's network reaches the dashboard, or None when it cannot.

    ``public_url`` (staff's choice) wins; a dashboard listening on this machine only
    (127.0.0.1, the default) is out of a phone's reach, so no QR code is offered.
    """
    if public_url:
        return public_url.rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        found = lan_address()
        return None if found is None else f"http://{found}:{port}"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return f"http://{host}:{port}"


def offer(base: str) -> TakeawayOffer:
    """A fresh token and its page's URL under ``base``."""
    token = new_token()
    return TakeawayOffer(token, f"{base}{TAKEAWAY_PATH}{token}")


def save_token(db_path: Path | str, token: str, session_id: int, now: float, ttl_s: float) -> None:
    """Store ``token`` for ``session_id`` until ``now + ttl_s`` (the kiosk's storage worker).

    A connection of its own, opened and closed here: the station database is in WAL mode,
    so this short write waits its turn with the recorder's writer.
    """
    conn = sqlite3.connect(str(db_path), timeout=5.0)
    try:
        with conn:
            conn.execute(
                "INSERT INTO takeaway_tokens (token, session_id, created, expires) "
                "VALUES (?, ?, ?, ?)",
                (token, session_id, now, now + ttl_s),
            )
            # old tokens go: nothing here is worth keeping after it expired
            conn.execute("DELETE FROM takeaway_tokens WHERE expires < ?", (now - 86400.0,))
    finally:
        conn.close()


def redeem(db_path: Path | str, token: str, now: float) -> int | None:
    """The session ``token`` opens, once: None when unknown, expired or already used.

    The check and the use are one UPDATE, so two phones racing for a token cannot both get
    the page. This is the dashboard's only write to the station database.
    """
    if not token or len(token) > 64:
        return None
    conn = sqlite3.connect(str(db_path), timeout=2.0)
    try:
        with conn:
            cur = conn.execute(
                "UPDATE takeaway_tokens SET used = ? "
                "WHERE token = ? AND used IS NULL AND expires > ?",
                (now, token, now),
            )
            if cur.rowcount != 1:
                return None
            row = conn.execute(
                "SELECT session_id FROM takeaway_tokens WHERE token = ?", (token,)
            ).fetchone()
    except sqlite3.Error as exc:
        logger.warning("take-away token not redeemed: %s", exc)
        return None
    finally:
        conn.close()
    return int(row[0]) if row else None


def offer_for_session(
    dashboard: DashboardConfig,
    wait_id: Callable[[float], int | None] | None,
    db_path: Path | str | None,
    defer: Callable[[Callable[[], None]], None] | None,
    now: float,
) -> str:
    """The URL for a finished session's QR code ("" when none can be offered).

    Called on the UI thread: it only makes the token. Saving it waits (``wait_id``) for
    the session's row, which the recorder's writer creates, so that goes to ``defer`` (the
    storage worker).
    """
    if wait_id is None or db_path is None:
        return ""  # not recorded: nothing for the page to show
    base = base_url(dashboard.host, dashboard.port, dashboard.public_url)
    if base is None:
        return ""
    made = offer(base)
    ttl_s = dashboard.takeaway_minutes * 60.0

    def save() -> None:
        session_id = wait_id(10.0)
        if session_id is None:
            logger.warning("take-away link not saved: the session was not recorded")
            return
        try:
            save_token(db_path, made.token, session_id, now, ttl_s)
        except sqlite3.Error as exc:
            logger.warning("take-away link not saved: %s", exc)

    if defer is None:
        save()
    else:
        defer(save)
    return made.url


def peek(db_path: Path | str, token: str, now: float) -> int | None:
    """The session ``token`` would open, without using it (None: unknown, expired, used)."""
    if not token or len(token) > 64:
        return None
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=2.0)
    try:
        row = conn.execute(
            "SELECT session_id FROM takeaway_tokens "
            "WHERE token = ? AND used IS NULL AND expires > ?",
            (token, now),
        ).fetchone()
    except sqlite3.Error as exc:
        logger.warning("take-away token not read: %s", exc)
        return None
    finally:
        conn.close()
    return int(row[0]) if row else None
