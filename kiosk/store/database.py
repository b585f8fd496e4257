"""The station's SQLite database: members, check-ins, sessions, samples, events, baselines.

:class:`Store` joins the parts, each in its own module: the connection, transactions and
health (:mod:`kiosk.store.connection`), members, baselines and check-ins
(:mod:`kiosk.store.members`), sessions, samples and events (:mod:`kiosk.store.sessions`) and
retention (:mod:`kiosk.store.retention`) and the fleet's outbox (:mod:`kiosk.store.outbox`).
Import from here.
"""

from __future__ import annotations

from kiosk.domain import CheckinMethod
from kiosk.store.connection import (
    DB_NAME,
    DEFAULT_TIMEOUT_S,
    database_path,
    explain,
    resolve_data_dir,
)
from kiosk.store.members import MemberRecords
from kiosk.store.outbox import OutboxRecords
from kiosk.store.records import (
    FINISHED_STATUSES,
    CheckinRecord,
    EventRecord,
    Member,
    Sample,
    SessionRecord,
    SessionStatus,
    StoredBaseline,
)
from kiosk.store.retention import Retention
from kiosk.store.sessions import SessionRecords

__all__ = [
    "DB_NAME",
    "DEFAULT_TIMEOUT_S",
    "FINISHED_STATUSES",
    "CheckinMethod",
    "CheckinRecord",
    "EventRecord",
    "Member",
    "Sample",
    "SessionRecord",
    "SessionStatus",
    "Store",
    "StoredBaseline",
    "database_path",
    "explain",
    "resolve_data_dir",
]


class Store(MemberRecords, SessionRecords, Retention, OutboxRecords):
    """The station database (SQLite in WAL mode, versioned schema).

    Methods raise :class:`StorageError` with a staff-readable message; code in the UI loop
    goes through :class:`kiosk.session.recorder.SessionRecorder`, which never
    raise. One connection is shared by the UI thread and the recorder's writer thread, under
    a lock, so the two never interleave inside a transaction.
    """
