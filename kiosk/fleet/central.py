"""The central PostgreSQL: connecting (password never in the staff file) and its versioned schema.

Schema (documented for the dashboard in docs/fleet.md): ``members``, ``forgotten_members``
(tombstones: the bare ID, so offline stations purge at their next sync), ``sessions``
(UUID key), ``samples`` and ``events`` (session UUID + ordinal), ``checkins`` (UUID key),
``baselines`` (one per member, newest capture wins) and ``stations`` (last sync per station).
Times are ``timestamptz``; samples and events keep seconds since their session started.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config.schema import FleetConfig
from kiosk.fleet.errors import FleetError as FleetError
from kiosk.fleet.policies import STATION_LIMITS_SQL

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

#: Environment variable holding the station role's password when no password_file is set.
PASSWORD_ENV = "BACKSTEP_FLEET_PASSWORD"


def read_password(cfg: FleetConfig) -> str | None:
    """The station's password: ``password_file``, else the environment, else None (libpq's own
    ``PGPASSWORD`` / ``~/.pgpass`` may still supply one)."""
    if cfg.password_file is not None:
        path = Path(cfg.password_file).expanduser()
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise FleetError(f"cannot read fleet.password_file {path}: {exc.strerror}") from exc
    return os.environ.get(PASSWORD_ENV) or None


def connect(
    cfg: FleetConfig, *, url: str | None = None, connect_timeout_s: int | None = None
) -> psycopg.Connection[Any]:
    """An autocommit connection to the central database (``url`` overrides the config's).

    Raises :class:`FleetError` with the server's reason (no password, refused, unreachable).
    """
    import psycopg

    kwargs: dict[str, Any] = {
        "autocommit": True,
        "connect_timeout": connect_timeout_s or cfg.connect_timeout_s,
        "application_name": "backstep",
        # A server or link that dies mid-query must not hang the sync thread forever:
        # keepalives notice a silent peer in ~25 s, tcp_user_timeout unacknowledged writes
        # in 30 s, and no statement runs longer than a minute.
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 30_000,
        "options": "-c statement_timeout=60000",
    }
    target = url or cfg.database
    mode = required_sslmode(target, cfg.sslmode)
    if mode is not None:
        kwargs["sslmode"] = mode
    if url is None:
        password = read_password(cfg)
        if password:
            kwargs["password"] = password
    try:
        return psycopg.connect(target, **kwargs)
    except psycopg.Error as exc:
        raise FleetError(f"fleet database: {explain(exc)}") from exc


#: sslmodes that encrypt (``require``) and also check the server (``verify-*``).
_TLS_MODES = ("require", "verify-ca", "verify-full")


def is_same_host(target: str) -> bool:
    """True when a libpq URL/conninfo points at this machine (loopback or a Unix socket)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(target)
    except Exception:
        return False
    hosts = str(params.get("hostaddr") or params.get("host") or os.environ.get("PGHOST", ""))
    for host in (h.strip() for h in hosts.split(",")):
        if not host or host.startswith(("/", "@")) or host == "localhost":
            continue  # libpq's default Unix socket, a socket directory, an abstract socket
        try:
            if ipaddress.ip_address(host).is_loopback:
                continue
        except ValueError:
            pass
        return False
    return True


def required_sslmode(target: str, configured: str) -> str | None:
    """The sslmode to connect with (None: the URL's own); TLS is required off this host.

    Members' sessions cross the gym's LAN to a server on another machine: ``prefer`` (the
    default) becomes ``require`` there, and ``disable``/``allow`` are refused outright
    (FleetError) rather than sending them in the clear. On the same host anything goes.
    """
    from psycopg.conninfo import conninfo_to_dict

    try:
        in_url = conninfo_to_dict(target).get("sslmode")
    except Exception:
        in_url = None
    mode = str(in_url or configured)
    if mode in _TLS_MODES or is_same_host(target):
        return None if in_url else mode
    if mode == "prefer" and not in_url:
        return "require"
    raise FleetError(
        f"fleet database: sslmode={mode} would send members' data unencrypted to another "
        "machine: set fleet.sslmode = verify-full (or require); see docs/fleet-security.md"
    )


def explain(exc: BaseException) -> str:
    """The first line of a psycopg error, without the password-bearing connection string."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# -- versioned schema ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CentralMigration:
    """One step of the central schema; ``version`` is recorded in ``schema_migrations``."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[CentralMigration, ...] = (
    CentralMigration(
        1,
        "members, tombstones, sessions, samples, events, check-ins, baselines, stations",
        """
        CREATE TABLE members (
            id text PRIMARY KEY,
            name text NOT NULL,
            expires date NOT NULL,
            level integer,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE forgotten_members (
            member_id text PRIMARY KEY,
            forgotten_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE sessions (
            uuid uuid PRIMARY KEY,
            member_id text REFERENCES members(id) ON DELETE CASCADE,
            station_id text NOT NULL,
            program text NOT NULL,
            started timestamptz NOT NULL,
            ended timestamptz,
            status text NOT NULL CHECK (status IN ('completed', 'stopped', 'interrupted')),
            summary jsonb,
            uploaded_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX sessions_member_started ON sessions(member_id, started DESC);
        CREATE INDEX sessions_station_started ON sessions(station_id, started DESC);
        CREATE INDEX sessions_uploaded ON sessions(uploaded_at);
        CREATE TABLE samples (
            session_uuid uuid NOT NULL REFERENCES sessions(uuid) ON DELETE CASCADE,
            seq integer NOT NULL,
            t real NOT NULL,
            trunk_lean real,
            lateral_lean real,
            core_score real,
            cadence real,
            posture text,
            PRIMARY KEY (session_uuid, seq)
        );
        CREATE TABLE events (
            session_uuid uuid NOT NULL REFERENCES sessions(uuid) ON DELETE CASCADE,
            seq integer NOT NULL,
            t real NOT NULL,
            kind text NOT NULL,
            data jsonb NOT NULL DEFAULT '{}',
            PRIMARY KEY (session_uuid, seq)
        );
        CREATE TABLE checkins (
            uuid uuid PRIMARY KEY,
            member_id text REFERENCES members(id) ON DELETE CASCADE,
            claimed_id text,
            t timestamptz NOT NULL,
            station_id text NOT NULL,
            method text NOT NULL,
            ok boolean NOT NULL,
            reason text
        );
        CREATE INDEX checkins_member_t ON checkins(member_id, t);
        CREATE INDEX checkins_claimed ON checkins(claimed_id);
        CREATE TABLE baselines (
            member_id text PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            captured timestamptz NOT NULL,
            data jsonb NOT NULL,
            station_id text NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE stations (
            id text PRIMARY KEY,
            last_sync timestamptz NOT NULL,
            waiting integer NOT NULL DEFAULT 0
        );
        """,
    ),
    CentralMigration(
        2,
        "row-level security: a station writes only its own sessions and check-ins",
        # The station's login role is backstep_<station id> (kiosk.fleet.roles.station_role);
        # the owner and backstep_manager are not restricted. samples/events stay without RLS:
        # PostgreSQL refuses COPY into a table with row-level security.
        """
        CREATE FUNCTION backstep_is_own_station(station text) RETURNS boolean
            LANGUAGE sql STABLE
            AS $$ SELECT current_user = 'backstep_'
                   || regexp_replace(lower(station), '[^a-z0-9_]', '_', 'g') $$;
        ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
        ALTER TABLE checkins ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone_reads ON sessions FOR SELECT USING (true);
        CREATE POLICY manager_deletes ON sessions FOR DELETE USING (true);
        CREATE POLICY station_inserts ON sessions FOR INSERT
            WITH CHECK (backstep_is_own_station(station_id));
        CREATE POLICY station_updates ON sessions FOR UPDATE
            USING (backstep_is_own_station(station_id))
            WITH CHECK (backstep_is_own_station(station_id));
        CREATE POLICY everyone_reads ON checkins FOR SELECT USING (true);
        CREATE POLICY manager_deletes ON checkins FOR DELETE USING (true);
        CREATE POLICY station_inserts ON checkins FOR INSERT
            WITH CHECK (backstep_is_own_station(station_id));
        """,
    ),
    CentralMigration(
        3,
        "a station writes only its own samples, events, baselines and stations row; "
        "baselines on the server's clock; member IDs and names checked",
        STATION_LIMITS_SQL,
    ),
    CentralMigration(
        4,
        "the belt and the heart in each per-second sample; members' birth year (issue 27)",
        """
        ALTER TABLE samples ADD COLUMN speed_kmh real;
        ALTER TABLE samples ADD COLUMN incline_pct real;
        ALTER TABLE samples ADD COLUMN distance_m real;
        ALTER TABLE samples ADD COLUMN stride_m real;
        ALTER TABLE samples ADD COLUMN heart_rate_bpm integer;
        ALTER TABLE members ADD COLUMN birth_year integer;
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def central_version(conn: psycopg.Connection[Any]) -> int:
    """The central schema's version (0 = not created yet)."""
    row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate_central(conn: psycopg.Connection[Any]) -> list[int]:
    """Apply the missing steps, each in its own transaction; return those applied.

    An advisory lock keeps two ``fleet init`` runs from migrating at once. Raises
    :class:`FleetError` when the server's schema is newer than this code.
    """
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(7215001)")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, description text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = central_version(conn)
        if current > LATEST_VERSION:
            raise FleetError(
                f"the fleet database is at schema {current}, newer than this Backstep "
                f"({LATEST_VERSION}): upgrade this station"
            )
        for step in MIGRATIONS:
            if step.version > current:
                logger.info("fleet schema -> %d: %s", step.version, step.description)
                conn.execute(step.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, description) VALUES (%s, %s)",
                    (step.version, step.description),
                )
                applied.append(step.version)
    return applied
