"""The database connection: where it lives, opening and migrating it, transactions, health."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self, TypeVar

from kiosk.config.schema import StorageConfig
from kiosk.store.errors import StorageError
from kiosk.store.migrations import LATEST_VERSION, migrate, schema_version

logger = logging.getLogger(__name__)

DB_NAME = "backstep.sqlite3"
#: Seconds to wait for another writer before calling the database locked.
DEFAULT_TIMEOUT_S = 2.0


#: Environment variable naming the data folder for this process; wins over the config.
DATA_DIR_ENV = "BACKSTEP_DATA_DIR"


def resolve_data_dir(cfg: StorageConfig) -> Path:
    """The data folder: ``$BACKSTEP_DATA_DIR``, else the config's, systemd's, the user's.

    ``BACKSTEP_DATA_DIR`` is an explicit per-process choice (tests, a staff experiment next
    to the live kiosk), so it overrides ``storage.data_dir``. systemd sets
    ``STATE_DIRECTORY`` (colon-separated when several are configured) for a unit with
    ``StateDirectory=backstep``; it is then ``/var/lib/backstep``.
    """
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    if cfg.data_dir is not None:
        return Path(cfg.data_dir).expanduser()
    state = os.environ.get("STATE_DIRECTORY")
    if state:
        return Path(state.split(":")[0])
    from platformdirs import user_data_dir

    return Path(user_data_dir("backstep"))


def data_dir_source(cfg: StorageConfig) -> str:
    """Which setting chose :func:`resolve_data_dir`'s answer, for ``doctor`` and ``config show``."""
    if os.environ.get(DATA_DIR_ENV, "").strip():
        return f"${DATA_DIR_ENV}, overriding storage.data_dir"
    if cfg.data_dir is not None:
        return "storage.data_dir"
    if os.environ.get("STATE_DIRECTORY"):
        return "systemd StateDirectory"
    return "the user data folder"


def database_path(cfg: StorageConfig) -> Path:
    """Where the station database lives for this config."""
    return resolve_data_dir(cfg) / DB_NAME


def explain(exc: BaseException, path: Path) -> str:
    """A one-line, staff-readable cause and remedy for an SQLite or OS failure."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return f"database {path} is locked by another process (is another backstep running?)"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            f"database {path} is corrupt or not a Backstep database; move it aside "
            "(a new one is created) and restore a backup if you have one"
        )
    if "full" in text or getattr(exc, "errno", None) == 28 or _io_error_on_full_disk(text, path):
        return f"the disk holding {path} is full; free space or lower storage.retention_days"
    denied = getattr(exc, "errno", None) in (errno.EACCES, errno.EPERM, errno.EROFS)
    if denied or any(w in text for w in ("readonly", "read-only", "permission", "unable to open")):
        return (
            f"cannot write {path}: the data directory is read-only or not ours; "
            "set storage.data_dir or fix its owner/permissions"
        )
    if "newer" in text:
        return str(exc)
    return f"database {path}: {exc}"


#: Below this many free bytes an SQLite "disk I/O error" is a full disk (SQLite reports a
#: failed write of the journal or WAL header as I/O, not as SQLITE_FULL).
FULL_DISK_BYTES = 256 * 1024


def _io_error_on_full_disk(text: str, path: Path) -> bool:
    """True for an I/O error on a disk with (almost) no room left: staff read "disk full"."""
    if "disk i/o error" not in text and "no space" not in text:
        return False
    folder = path.parent if not path.is_dir() else path
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < FULL_DISK_BYTES


T = TypeVar("T")

#: Storage events the doctor reports (a deleted database recreated), beside the database.
EVENTS_NAME = "storage-events.json"


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``, None when it does not exist."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def record_storage_event(folder: Path, text: str) -> None:
    """Append a storage event for ``backstep doctor`` (best effort; the last 20 kept)."""
    import json
    import time

    path = folder / EVENTS_NAME
    try:
        events = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
        if not isinstance(events, list):
            events = []
    except (OSError, ValueError):
        events = []
    events = [*events, {"at": time.time(), "text": text}][-20:]
    try:
        tmp = path.with_name(EVENTS_NAME + ".tmp")
        tmp.write_text(json.dumps(events), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        logger.warning("cannot record a storage event in %s: %s", path, exc)


def recent_storage_events(folder: Path, within_s: float, now: float) -> list[str]:
    """Storage events of the last ``within_s`` seconds, oldest first."""
    import json
    import time

    try:
        events = json.loads((folder / EVENTS_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for event in events if isinstance(events, list) else []:
        if isinstance(event, dict) and now - float(event.get("at", 0)) <= within_s:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(event["at"])))
            out.append(f"{when}: {event.get('text', '')}")
    return out


class StoreConnection:
    """One SQLite connection in WAL mode, migrated on open, shared under a lock.

    The record classes (:mod:`kiosk.store.members`, :mod:`kiosk.store.sessions`,
    :mod:`kiosk.store.retention`) build on it; :class:`kiosk.store.database.Store` joins them.
    """

    def __init__(self, path: Path | str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._timeout_s = timeout_s
        #: (st_dev, st_ino) of the file we opened: a deleted or replaced file is noticed
        self._identity: tuple[int, int] | None = None
        #: staff messages about the file itself (deleted and recreated), newest last
        self.notices: list[str] = []
        self._on_close: list[Callable[[], None]] = []
        self._lost_file = False  # closed by `_follow_file`, not by `close`
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connect()
        except (sqlite3.Error, OSError, ValueError) as exc:
            self._close_quietly()
            raise StorageError(explain(exc, self.path)) from exc

    def _connect(self) -> None:
        # members' health data: a new file is owner-only (SQLite gives its -wal and -shm
        # the database's mode), also outside systemd's UMask
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch of samples
        # and the migration steps are each exactly one transaction.
        conn = sqlite3.connect(
            self.path, timeout=self._timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL mode (got {mode})")
        except BaseException:
            conn.close()
            raise
        # FULL in WAL mode: each commit is on the card before it returns, so a power cut
        # loses at most the recorder's unflushed seconds. The fsync runs on the
        # recorder's writer thread, not in the UI loop.
        conn.execute("PRAGMA synchronous = FULL")
        self._conn = conn
        self._identity = file_identity(self.path)
        with self._write() as c:
            migrate(c)

    @classmethod
    def open(cls, cfg: StorageConfig, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Self:
        """Open (create, migrate) the database of this config; does not touch live sessions."""
        return cls(database_path(cfg), timeout_s=timeout_s)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent); stops what runs beside it (the backups)."""
        hooks, self._on_close = self._on_close, []
        for hook in hooks:
            try:
                hook()
            except Exception:
                logger.exception("closing beside %s failed", self.path)
        with self._lock:
            self._close_quietly()

    def call_on_close(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when the store closes (a backup timer's stop)."""
        self._on_close.append(hook)

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                logger.debug("closing %s failed", self.path, exc_info=True)
            self._conn = None

    @property
    def is_closed(self) -> bool:
        """True after :meth:`close`."""
        return self._conn is None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``."""
        return self._read(schema_version)

    # -- transactions ------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError(f"database {self.path} is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front."""
        with self._lock:
            if self._identity is not None:
                self._follow_file()
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._write() as conn:
                return fn(conn)
        except StorageError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(explain(exc, self.path)) from exc

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            with self._lock:
                return fn(self._connection())
        except StorageError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(explain(exc, self.path)) from exc

    # -- the file itself -----------------------------------------------------------------------

    def _follow_file(self) -> None:
        """Notice a database file deleted or replaced under us, and write to the live file.

        A deleted file keeps taking writes through our open descriptor and is gone at the
        next start, with the whole history; so it is copied out of the open connection
        (SQLite's backup API) into a new file at the path, and staff are told.
        """
        now = file_identity(self.path)
        old = self._conn
        if old is None:
            if self._lost_file:  # a recreation that failed (a full disk): try again
                self._connect()
                self._lost_file = False
            return  # closed on purpose: `_connection` says so
        if now == self._identity:
            return
        if now is None:
            kept = self._copy_out(old)
            self._close_quietly()  # the last connection: checkpoints into the deleted inode
            for suffix in ("-wal", "-shm"):
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            if kept is not None:
                os.replace(self._recovering_path(), self.path)
                note = (
                    f"the database file {self.path} was deleted while the kiosk ran; it was "
                    f"recreated from the open copy ({kept} session(s) kept)"
                )
            else:
                note = (
                    f"the database file {self.path} was deleted while the kiosk ran and could "
                    "not be copied back; a new empty one was started: `backstep restore` "
                    "brings back the last backup"
                )
        else:
            self._close_quietly()
            note = f"the database file {self.path} was replaced while the kiosk ran; using it"
        self._lost_file = True
        self._connect()
        self._lost_file = False
        logger.error("%s", note)
        self.notices.append(note)
        record_storage_event(self.path.parent, note)

    def _recovering_path(self) -> Path:
        return self.path.with_name(self.path.name + ".recovering")

    def _copy_out(self, old: sqlite3.Connection) -> int | None:
        """Copy the open (deleted) database to ``*.recovering``; its session count, or None."""
        target = self._recovering_path()
        try:
            target.unlink(missing_ok=True)
            dest = sqlite3.connect(target)
            try:
                old.backup(dest)
                return int(dest.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])
            finally:
                dest.close()
        except (sqlite3.Error, OSError):
            logger.exception("copying the deleted database %s out failed", self.path)
            target.unlink(missing_ok=True)
            return None

    def count_rows(self, table: str) -> int:
        """Rows in one of our tables (for tests, the doctor and the staff screen)."""
        if table not in {"members", "checkins", "sessions", "samples", "events", "baselines"}:
            raise ValueError(f"unknown table {table!r}")
        return int(self._read(lambda c: c.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]))

    # -- health ------------------------------------------------------------------------------

    # -- health ------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Problems with the open database as staff-readable lines (empty = healthy)."""
        problems: list[str] = []
        try:
            result = self._read(lambda c: c.execute("PRAGMA quick_check").fetchall())
            if [r[0] for r in result] != ["ok"]:
                problems.append(f"database {self.path} failed its integrity check: {result[0][0]}")
            version = self.schema_version
            if version != LATEST_VERSION:
                problems.append(f"database schema is version {version}, expected {LATEST_VERSION}")
            # A write probe: an empty write transaction takes the lock and hits a read-only file.
            self._run_write(lambda c: c.execute("DELETE FROM members WHERE 0"))
        except StorageError as exc:
            problems.append(str(exc))
        return problems
