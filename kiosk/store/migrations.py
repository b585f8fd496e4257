"""Versioned schema of the Backstep database: an ordered list of migration steps."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step; ``version`` is the ``PRAGMA user_version`` after it has run."""

    version: int
    description: str
    statements: tuple[str, ...]


#: A random (version 4) UUID as an SQL expression, for the fleet's row identities.
_UUID4 = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)

# Times: wall-clock UNIX seconds (REAL) for check-ins, session start/end and baselines;
# samples and events carry seconds since their session started (the caller's clock), so a
# clock change on the Pi mid-session cannot reorder them.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "members, check-ins, sessions, samples, events",
        (
            """CREATE TABLE members (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                expires TEXT NOT NULL,
                level INTEGER
            )""",
            """CREATE TABLE checkins (
                id INTEGER PRIMARY KEY,
                member_id TEXT REFERENCES members(id) ON DELETE CASCADE,
                t REAL NOT NULL,
                station_id TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('qr', 'card', 'buttons', 'guest'))
            )""",
            """CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                member_id TEXT REFERENCES members(id) ON DELETE CASCADE,
                program TEXT NOT NULL,
                started REAL NOT NULL,
                ended REAL,
                status TEXT NOT NULL
                    CHECK (status IN ('active', 'completed', 'stopped', 'interrupted')),
                summary TEXT
            )""",
            """CREATE TABLE samples (
                session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                t REAL NOT NULL,
                trunk_lean REAL,
                lateral_lean REAL,
                core_score REAL,
                cadence REAL,
                posture TEXT
            )""",
            """CREATE TABLE events (
                session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                t REAL NOT NULL,
                kind TEXT NOT NULL,
                data TEXT NOT NULL DEFAULT '{}'
            )""",
        ),
    ),
    Migration(
        2,
        "baselines; failed check-in attempts; station of a session",
        (
            """CREATE TABLE baselines (
                member_id TEXT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
                captured REAL NOT NULL,
                data TEXT NOT NULL
            )""",
            # Failed attempts are kept (ok = 0) so staff can see who was turned away; the
            # typed ID is kept as claimed_id because an unknown ID has no member row.
            "ALTER TABLE checkins ADD COLUMN ok INTEGER NOT NULL DEFAULT 1",
            "ALTER TABLE checkins ADD COLUMN reason TEXT",
            "ALTER TABLE checkins ADD COLUMN claimed_id TEXT",
            "ALTER TABLE sessions ADD COLUMN station_id TEXT NOT NULL DEFAULT ''",
        ),
    ),
    Migration(
        3,
        "indexes for history, export and retention",
        (
            "CREATE INDEX samples_session_t ON samples(session_id, t)",
            "CREATE INDEX events_session_t ON events(session_id, t)",
            "CREATE INDEX sessions_member_started ON sessions(member_id, started)",
            "CREATE INDEX sessions_status ON sessions(status)",
            "CREATE INDEX checkins_claimed ON checkins(claimed_id)",
        ),
    ),
    Migration(
        4,
        "fleet: stable UUIDs and outbox state for sessions, check-ins and baselines",
        (
            # A UUID per session and check-in is the row's identity on the central server, so
            # an upload retried after a crash or an outage upserts instead of duplicating.
            # Triggers fill it (SQLite has no uuid() and ALTER TABLE cannot add a random
            # default), so every writer gets one without knowing about the fleet.
            "ALTER TABLE sessions ADD COLUMN uuid TEXT",
            "ALTER TABLE checkins ADD COLUMN uuid TEXT",
            # synced_at: NULL = waiting in the outbox; else when the server acknowledged it.
            "ALTER TABLE sessions ADD COLUMN synced_at REAL",
            "ALTER TABLE checkins ADD COLUMN synced_at REAL",
            "ALTER TABLE baselines ADD COLUMN synced_at REAL",
            f"UPDATE sessions SET uuid = {_UUID4} WHERE uuid IS NULL",
            f"UPDATE checkins SET uuid = {_UUID4} WHERE uuid IS NULL",
            "CREATE UNIQUE INDEX sessions_uuid ON sessions(uuid)",
            "CREATE UNIQUE INDEX checkins_uuid ON checkins(uuid)",
            "CREATE INDEX sessions_outbox ON sessions(synced_at) WHERE synced_at IS NULL",
            "CREATE INDEX checkins_outbox ON checkins(synced_at) WHERE synced_at IS NULL",
            f"""CREATE TRIGGER sessions_uuid_fill AFTER INSERT ON sessions
                WHEN NEW.uuid IS NULL
                BEGIN UPDATE sessions SET uuid = {_UUID4} WHERE id = NEW.id; END""",
            f"""CREATE TRIGGER checkins_uuid_fill AFTER INSERT ON checkins
                WHEN NEW.uuid IS NULL
                BEGIN UPDATE checkins SET uuid = {_UUID4} WHERE id = NEW.id; END""",
            # A changed session (finished, or closed as interrupted) or baseline goes back
            # into the outbox; the sync worker's own "mark synced" update does not.
            """CREATE TRIGGER sessions_outbox_dirty AFTER UPDATE OF status, ended, summary
                ON sessions WHEN NEW.synced_at IS NOT NULL AND NEW.synced_at = OLD.synced_at
                BEGIN UPDATE sessions SET synced_at = NULL WHERE id = NEW.id; END""",
            """CREATE TRIGGER baselines_outbox_dirty AFTER UPDATE OF captured, data
                ON baselines WHEN NEW.synced_at IS NOT NULL AND NEW.synced_at = OLD.synced_at
                BEGIN UPDATE baselines SET synced_at = NULL WHERE member_id = NEW.member_id; END""",
            # Small key/value facts of the sync (last successful sync, last error ...), kept
            # here so `backstep fleet status` in another process can read them.
            """CREATE TABLE fleet_state (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "take-away tokens: a member opens their own session on a phone (issue 22)",
        (
            # One row per summary QR code: a random token, the session it opens, when it
            # expires and when it was used (once; the dashboard redeems it).
            """CREATE TABLE takeaway_tokens (
                token TEXT PRIMARY KEY,
                session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
                created REAL NOT NULL,
                expires REAL NOT NULL,
                used REAL
            )""",
        ),
    ),
    Migration(
        6,
        "the belt and the heart in each per-second sample (issue 27)",
        (
            # Stored in km/h and metres whatever the staff file shows; NULL without a linked
            # treadmill or strap, or while its link was quiet (the row itself is never left out).
            "ALTER TABLE samples ADD COLUMN speed_kmh REAL",
            "ALTER TABLE samples ADD COLUMN incline_pct REAL",
            "ALTER TABLE samples ADD COLUMN distance_m REAL",  # walked backwards so far
            "ALTER TABLE samples ADD COLUMN stride_m REAL",
            "ALTER TABLE samples ADD COLUMN heart_rate_bpm INTEGER",
            # a member's age gives heart-rate zones; optional, never required
            "ALTER TABLE members ADD COLUMN birth_year INTEGER",
        ),
    ),
)

#: The schema version this code writes.
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    """The ``PRAGMA user_version`` of an open database (0 = empty)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Run the steps above the database's version up to ``target``; return those applied.

    The caller holds the write transaction (``BEGIN IMMEDIATE``): SQLite DDL is
    transactional, so a failed step leaves the previous version intact. Raises
    ``ValueError`` when the database is newer than this code.
    """
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise ValueError(
            f"database schema version {current} is newer than this Backstep "
            f"({LATEST_VERSION}); upgrade Backstep or restore an older database"
        )
    applied: list[int] = []
    for step in MIGRATIONS:
        if current < step.version <= target:
            logger.info("migrating database to version %d: %s", step.version, step.description)
            for statement in step.statements:
                conn.execute(statement)
            # PRAGMA cannot take parameters; the version is our own integer.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            applied.append(step.version)
    return applied
