"""The sync worker: one thread per station drains the outbox and pulls the fleet's changes.

Nothing in the kiosk waits on it. Each pass purges members forgotten centrally, merges the
member list, uploads baselines, check-ins and finished sessions in batches, then caches
what other stations uploaded. A failure (server down, network gone) ends the pass; rows
stay in the outbox and the next pass retries, backing off up to a minute.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.config.schema import FleetConfig
from kiosk.fleet.central import LATEST_VERSION, FleetError, central_version, connect, explain
from kiosk.fleet.pull import pull_members, pull_recent, purge_forgotten
from kiosk.fleet.setaside import (
    Kind,
    SetAsideRow,
    forget,
    relabel_own_history,
    set_aside,
    set_aside_members,
)
from kiosk.fleet.status import FleetStatus, read_status
from kiosk.fleet.upload import (
    CHECKIN_BATCH,
    SESSION_BATCH,
    UploadCounts,
    upload_baselines,
    upload_checkins,
    upload_new_members,
    upload_sessions,
)
from kiosk.store.database import Store
from kiosk.store.errors import StorageError
from kiosk.store.outbox import OutboxCounts
from vision.retry import Backoff
from vision.threads import WorkerThread

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

#: Longest wait between retries while the server is away (an outbox drains soon after).
_MAX_BACKOFF_S = 30.0
_JOIN_TIMEOUT_S = 5.0
#: How often the idle worker looks for a newly finished session.
_POLL_S = 1.0


@dataclass(slots=True)
class SyncReport:
    """What one pass did."""

    uploaded: UploadCounts = field(default_factory=UploadCounts)
    forgotten: list[str] = field(default_factory=list)
    members_added_to_server: int = 0
    #: rows the server refused in this pass, now set aside (kept here, not uploaded)
    set_aside: list[SetAsideRow] = field(default_factory=list)
    #: earlier rows of this station given its current ID (it ran alone under another)
    relabelled: int = 0


def sync_once(
    conn: psycopg.Connection[Any],
    store: Store,
    station_id: str,
    now: Callable[[], float] = time.time,
    *,
    max_sessions: int | None = None,
    pause_s: float = 0.0,
) -> SyncReport:
    """One full pass over an open connection; raises psycopg/StorageError on failure.

    ``max_sessions`` bounds the sessions sent (tests stop a drain half-way); None = all.
    ``pause_s`` sleeps between session batches so a long drain leaves the CPU to the UI.
    """
    import psycopg

    report = SyncReport()

    def aside(kind: Kind, ref: str, reason: str) -> None:
        set_aside(store, kind, ref, reason, now())
        report.set_aside.append(SetAsideRow(kind, ref, reason, now()))

    version = central_version(conn)
    if version < LATEST_VERSION:  # stations updated before the server: say what to do
        raise FleetError(
            f"the fleet database is at schema {version}, older than this station's "
            f"({LATEST_VERSION}): run `backstep fleet init` on the server; sessions wait here"
        )
    report.relabelled = relabel_own_history(store, station_id)
    # Forgotten first: a forgotten member's rows recorded here while offline must never be
    # uploaded again, so they are erased before the outbox is read.
    report.forgotten = purge_forgotten(conn, store)
    server_ids = pull_members(conn, store)
    refused_members = set_aside_members(store)
    local_only = [
        (m.id, m.name, m.expires, m.level, m.birth_year)
        for m in store.list_members()
        if m.id not in server_ids and m.id not in refused_members
    ]
    report.members_added_to_server, refused = upload_new_members(conn, local_only)
    for r in refused:
        aside("member", r.row[0], r.reason)
    counts = report.uploaded
    baselines = store.pending_baselines()
    if baselines:
        refused_b = upload_baselines(conn, baselines, station_id, counts)
        for rb in refused_b:
            aside("baseline", rb.row.member_id, rb.reason)
        gone = {id(rb.row) for rb in refused_b}
        taken = [b for b in baselines if id(b) not in gone]
        store.mark_synced(baselines=taken, at=now())
        forget(store, "baseline", [b.member_id for b in taken])  # captured again since
    while checkins := store.pending_checkins(CHECKIN_BATCH):
        refused_k = upload_checkins(conn, checkins, counts)
        for rk in refused_k:
            aside("checkin", rk.row.uuid, rk.reason)
        gone = {id(rk.row) for rk in refused_k}
        store.mark_synced(checkins=[k.local_id for k in checkins if id(k) not in gone], at=now())
    sent = 0
    while max_sessions is None or sent < max_sessions:
        limit = SESSION_BATCH if max_sessions is None else min(SESSION_BATCH, max_sessions - sent)
        batch = store.pending_sessions(limit)
        if not batch:
            break
        refused_s = upload_sessions(conn, batch, counts)
        for rs in refused_s:
            aside("session", rs.row.uuid, rs.reason)
        gone = {id(rs.row) for rs in refused_s}
        store.mark_synced(sessions=[x for x in batch if id(x) not in gone], at=now())
        sent += len(batch)
        if pause_s:
            time.sleep(pause_s)
    cursor_text = store.fleet_fact("pull_cursor")
    cursor = pull_recent(
        conn, store, station_id, None if cursor_text is None else float(cursor_text), now()
    )
    waiting = store.outbox_counts().total
    try:
        with conn.transaction():
            conn.execute(
                "INSERT INTO stations (id, last_sync, waiting) VALUES (%s, now(), %s)"
                " ON CONFLICT (id) DO UPDATE SET last_sync = now(), waiting = excluded.waiting",
                (station_id, waiting),
            )
    except psycopg.errors.InsufficientPrivilege:
        logger.debug("no privilege to record this station's sync time on the server")
    facts = {"last_sync": repr(now()), "last_error": ""}
    if cursor is not None:
        facts["pull_cursor"] = repr(cursor)
    store.set_fleet_facts(facts)
    return report


class FleetSync:
    """The station's sync thread (explicit lifecycle: `start`, `kick`, idempotent `close`).

    ``store`` should be the worker's own :class:`Store` (its own SQLite connection), so
    the kiosk's writers never wait for an upload batch to be read.
    """

    def __init__(
        self,
        store: Store,
        cfg: FleetConfig,
        station_id: str,
        clock: Callable[[], float] = time.time,
        on_notice: Callable[[str], None] | None = None,
        batch_pause_s: float = 0.0,
    ) -> None:
        self.store = store
        #: Sleep between session batches (the kiosk's worker uses one: see station.py).
        self.batch_pause_s = batch_pause_s
        self.cfg = cfg
        self.station_id = station_id
        self._clock = clock
        #: Staff hear when the server goes away and comes back (transitions only).
        self.on_notice = on_notice
        self._conn: psycopg.Connection[Any] | None = None
        self._pass_lock = threading.Lock()  # the thread and a CLI/test caller share _conn
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._worker = WorkerThread(self._run, "backstep-fleet-sync", _JOIN_TIMEOUT_S, self._stop)
        self.reachable: bool | None = None
        self.last_error: str | None = None
        self.down_since: float | None = None
        self.passes = 0
        # the staff screen reads this copy every frame: the thread refreshes it, so the
        # UI loop never waits on SQLite (one read here, at start-up)
        self._status = self._read_status()

    def start(self) -> FleetSync:
        """Start the thread (a first pass runs at once)."""
        if self._status.set_aside:  # from an earlier run: staff hear of them again
            self._notice(f"fleet: {len(self._status.set_aside)} row(s) set aside (fleet status)")
        self._worker.start()
        return self

    def kick(self) -> None:
        """Run a pass soon (a session just ended)."""
        self._wake.set()

    def status(self) -> FleetStatus:
        """Current status: an in-memory copy the sync thread refreshes (no I/O, any thread)."""
        return self._status

    def refresh_status(self) -> FleetStatus:
        """Read the status from the local database into the copy `status` returns."""
        self._status = self._read_status()
        return self._status

    def _read_status(self) -> FleetStatus:
        try:
            status = read_status(self.store, self.cfg, self.reachable)
        except Exception as exc:  # the staff screen asks; it must get an answer
            status = FleetStatus(True, self.reachable, None, OutboxCounts(0, 0, 0), str(exc))
        return dataclasses.replace(status, down_since=self.down_since)

    def sync_now(self) -> SyncReport:
        """One pass in the caller's thread (CLI, tests); raises FleetError on failure."""
        import psycopg

        with self._pass_lock:
            try:
                return self._pass(psycopg)
            finally:
                self.refresh_status()

    def _pass(self, psycopg: Any) -> SyncReport:
        try:
            reused = self._conn is not None and not self._conn.closed
            if not reused:
                self._conn = connect(self.cfg)
            assert self._conn is not None
            try:
                report = sync_once(
                    self._conn, self.store, self.station_id, self._clock, pause_s=self.batch_pause_s
                )
            except psycopg.OperationalError:
                if not reused:
                    raise
                # the kept connection died with a server restart: once more on a new one
                # (a pass is idempotent, so repeating its first half is harmless)
                self._drop_connection()
                self._conn = connect(self.cfg)
                report = sync_once(
                    self._conn, self.store, self.station_id, self._clock, pause_s=self.batch_pause_s
                )
        except StorageError as exc:
            # this station's own database (locked by a forget's VACUUM, disk full): the
            # server is not to blame, so it is not reported unreachable; the next pass retries
            self.last_error = str(exc)
            raise FleetError(f"fleet sync: this station's database: {exc}") from exc
        except (psycopg.Error, FleetError, OSError) as exc:
            self._fail(exc)
            raise FleetError(f"fleet sync: {explain(exc)}") from exc
        for row in report.set_aside:
            # the staff screen's error lines: short, with where to look
            self._notice(f"fleet: server refused {row.line()} - kept here, set aside")
        if self.reachable is False:
            self._notice("fleet server reachable again; outbox uploaded")
        self.reachable, self.last_error, self.down_since = True, None, None
        self.passes += 1
        return report

    def _notice(self, text: str) -> None:
        if self.on_notice is not None:
            try:
                self.on_notice(text)
            except Exception:
                logger.debug("notice callback failed", exc_info=True)

    def _fail(self, exc: BaseException) -> None:
        if self.reachable is not False:
            self._notice(
                f"fleet server unreachable ({explain(exc)}): this station keeps working "
                "and uploads later"
            )
        if self.reachable is not False or self.down_since is None:
            self.down_since = self._clock()
        self.reachable = False
        self.last_error = explain(exc)
        self._drop_connection()
        try:
            self.store.set_fleet_facts({"last_error": self.last_error})
        except Exception:
            logger.debug("could not store the sync error", exc_info=True)

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                logger.debug("closing the fleet connection failed", exc_info=True)
            self._conn = None

    def _run(self) -> None:
        backoff = Backoff(self.cfg.sync_interval_s, _MAX_BACKOFF_S)
        while not self._stop.is_set():
            try:
                self.sync_now()
            except FleetError as exc:
                delay = backoff.next()
                logger.warning("%s (retrying in %.0f s)", exc, delay)
                self._stop.wait(delay)
                continue
            except Exception:  # a bug must not kill the thread: the outbox keeps filling
                logger.exception("fleet sync pass crashed")
                self._stop.wait(backoff.delay)
                continue
            backoff.reset()
            self._wait_for_work(self.cfg.sync_interval_s)

    def _wait_for_work(self, interval_s: float) -> None:
        """Sleep until the interval is over, a `kick`, or a finished session waiting.

        Looking at the outbox every second (a cheap indexed count) uploads a session within
        about a second of its end without the session code knowing about the fleet.
        """
        deadline = time.monotonic() + interval_s
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(_POLL_S, left)):
                break
            try:
                if self.refresh_status().waiting.sessions:
                    break
            except Exception:
                logger.debug("outbox count failed", exc_info=True)
        self._wake.clear()

    def close(self) -> None:
        """Stop the thread and close the connection (idempotent)."""
        self._worker.stop(wake=self._wake.set)  # warns when it does not stop in time
        self._drop_connection()
