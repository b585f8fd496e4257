"""The station: every long-lived part of the kiosk, built once from the config.

The loop's parts (effects, drawing, safeguards, live reload) receive the station and ask it
for the store and the config each time they need them. The parts built outside the app
(the member sessions, the check-in service, the vision service ...) keep their own copy;
they subscribe here, where they are built, so a reopened store or a reloaded config reaches
each of them through one path: `Station.install_store` and `Station.install_config`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from hw.ble.links import MachineLinks
from hw.events import ButtonEvent
from hw.station import StationHardware
from kiosk.app.notify import Notifier
from kiosk.app.options import RunOptions
from kiosk.app.parts import StationParts, open_parts
from kiosk.app.store_link import SavingHealth, StoreOpener
from kiosk.config.reload import ConfigReloader
from kiosk.config.schema import BackstepConfig
from kiosk.members.checkin import CheckinService, QrScanner
from kiosk.members.qr_worker import QrWorker
from kiosk.session.lifecycle import MemberSessions
from kiosk.store.connection import resolve_data_dir
from kiosk.store.database import Store
from kiosk.store.saving_status import write_saving_status
from kiosk.store.worker import StorageWorker
from kiosk.ui.voice import open_audio
from kiosk.vision_link.link import VisionLike, open_vision

if TYPE_CHECKING:
    from kiosk.fleet.station import StationFleet

logger = logging.getLogger(__name__)

T = TypeVar("T")


class StaffErrors:
    """The errors the staff screen lists (the last 20), from any thread."""

    def __init__(self, first: list[str] | None = None) -> None:
        self._lock = threading.Lock()
        self.items: list[str] = list(first or [])

    def report(self, message: str) -> None:
        """Log and keep for the staff screen (thread-safe: worker threads report here too)."""
        logger.error("%s", message)
        with self._lock:
            self.items.append(message)
            del self.items[:-20]

    def copy(self) -> list[str]:
        """A snapshot of the list (the drawing reads it while workers may append)."""
        with self._lock:
            return list(self.items)


class Topic(Generic[T]):
    """A new value told to every subscriber in order; a failing one does not stop the rest."""

    def __init__(self, name: str, on_error: Callable[[str], None]) -> None:
        self.name = name
        self._on_error = on_error
        self._subscribers: list[Callable[[T], None]] = []

    def subscribe(self, subscriber: Callable[[T], None]) -> None:
        """Call ``subscriber`` with each value published from now on."""
        self._subscribers.append(subscriber)

    def publish(self, value: T) -> None:
        """Hand ``value`` to every subscriber (each failure logged and shown to staff)."""
        for subscriber in self._subscribers:
            try:
                subscriber(value)
            except Exception as exc:
                logger.exception("%s: a subscriber failed", self.name)
                self._on_error(f"{self.name}: {exc}")


class Station:
    """The store, hardware, vision link, fleet, sound, check-in and workers of one kiosk.

    Built once; every part is optional except vision and sound (see `open_parts`): the kiosk
    keeps coaching without GPIO, a database or a fleet, and says so on the staff screen.
    """

    def __init__(
        self,
        config: BackstepConfig,
        options: RunOptions,
        post_button: Callable[[ButtonEvent], None],
        headless: bool,
    ) -> None:
        self._config = config
        self.config_path = options.config_path
        self.errors = StaffErrors(options.startup_errors)
        self.config_changed: Topic[BackstepConfig] = Topic("config reload", self.report)
        self.store_changed: Topic[Store] = Topic("storage", self.report)
        self.saving = SavingHealth()
        # the level tones and the spoken coach (its phrase cache fills in the background)
        self.sound, self.voice = open_audio(config, headless)
        self.parts: StationParts = open_parts(
            config, post_button, options.pin_factory, options.config_path, self.report
        )
        self.qr_worker: QrWorker | None = None
        if self.parts.qr is not None:
            self.qr_worker = QrWorker(self.parts.qr)
        self.vision: VisionLike = options.vision or open_vision(
            config, options.source, options.source_factory
        )
        self.storage_jobs = StorageWorker(self.report)
        self.members = MemberSessions(
            config, self.store, self.vision, self.report, defer=self.defer_storage
        )
        self.members.on_record_error = self.recording_failed
        # the treadmill and the strap: each link connects in its own thread, never waited on
        self.machine = MachineLinks(config.treadmill, config.heart_rate, options.central_factory)
        self.machine.start()
        self.members.machine_links = self.machine
        self._subscribe_parts()

    def _subscribe_parts(self) -> None:
        """What each part built here takes from a reopened store and a reloaded config."""
        members, checkin = self.members, self.parts.checkin

        def members_store(store: Store) -> None:
            members.store = store

        def members_config(cfg: BackstepConfig) -> None:
            # programs, progression, cues: read when the next session is planned and built
            members.config = cfg

        self.store_changed.subscribe(members_store)
        self.config_changed.subscribe(members_config)
        if checkin is not None:

            def checkin_store(store: Store) -> None:
                checkin.store = store

            def checkin_config(cfg: BackstepConfig) -> None:
                checkin.cfg = cfg.checkin

            self.store_changed.subscribe(checkin_store)
            self.config_changed.subscribe(checkin_config)
        # posture, gait, core, safety, smoothing, zone (and camera.view): the analyzer
        self.config_changed.subscribe(self.vision.apply_config)
        self.config_changed.subscribe(lambda cfg: self.sound.set_volume(cfg.cues.volume))
        self.config_changed.subscribe(lambda cfg: self.voice.apply_live(cfg.sound))
        self.config_changed.subscribe(self._restart_qr)
        self.config_changed.subscribe(self._restart_links)

    # ------------------------------------------------------------------ the parts
    @property
    def config(self) -> BackstepConfig:
        """The config in force (a reload replaces it through `install_config`)."""
        return self._config

    @property
    def store(self) -> Store | None:
        """The database, or None while it cannot be opened (`poll_store` installs it later)."""
        return self.parts.store

    @property
    def hardware(self) -> StationHardware | None:
        """Buttons, LED and buzzer; None when GPIO failed (keyboard only)."""
        return self.parts.hardware

    @property
    def checkin(self) -> CheckinService | None:
        """The check-in service; None when it could not be built."""
        return self.parts.checkin

    @property
    def fleet(self) -> StationFleet | None:
        """The fleet sync, when ``[fleet] database`` is set."""
        return self.parts.fleet

    @property
    def reloader(self) -> ConfigReloader | None:
        """Watches the staff file (None without one)."""
        return self.parts.reloader

    @property
    def notifier(self) -> Notifier | None:
        """systemd's sd_notify (None when unavailable)."""
        return self.parts.notifier

    @property
    def opener(self) -> StoreOpener | None:
        """Retries opening the database in the background when it failed at start."""
        return self.parts.opener

    # ------------------------------------------------------------------ one path each
    def install_config(self, config: BackstepConfig) -> None:
        """Make ``config`` the one in force and hand it to every subscriber."""
        self._config = config
        self.config_changed.publish(config)

    def poll_store(self) -> None:
        """Install the database once the background opener gets it open (no restart)."""
        opener = self.parts.opener
        if opener is None:
            return
        store = opener.take()
        if store is None:
            return
        logger.warning("database open: sessions and check-ins are saved again")
        self.parts.store = store
        self.store_changed.publish(store)
        from kiosk.store.writer import adopt_store

        adopt_store(store)  # a session begun without a database is written from its start

    def _restart_links(self, cfg: BackstepConfig) -> None:
        # a changed [treadmill] or [heart_rate] restarts the links (nothing else does)
        self.machine.apply(cfg.treadmill, cfg.heart_rate)

    def _restart_qr(self, cfg: BackstepConfig) -> None:
        if self.qr_worker is not None:
            self.qr_worker.close()
            self.qr_worker = None
        if cfg.checkin.qr:
            self.parts.qr = QrScanner.from_config(cfg.checkin)
            self.qr_worker = QrWorker(self.parts.qr)

    # ------------------------------------------------------------------ errors, storage
    def report(self, message: str) -> None:
        """Log and keep for the staff screen (thread-safe)."""
        self.errors.report(message)

    def defer_storage(self, job: Callable[[], None]) -> None:
        """Run ``job`` in the storage worker, off the UI thread."""
        self.storage_jobs.submit(job, lambda _result: None)

    def recording_failed(self, message: str) -> None:
        """A session write failed (thread-safe): counted, marked, and on the staff screen."""
        self.saving.failed(message)
        self.report(f"not saving: {message}")
        folder = resolve_data_dir(self.config.storage)
        failures, last = self.saving.failures, self.saving.last_error
        # for `backstep doctor`; written off the UI thread (not at all once shutting down)
        with contextlib.suppress(RuntimeError):
            self.defer_storage(lambda: write_saving_status(folder, failures, last))

    def close(self) -> None:
        """Stop the workers, close every part (idempotent; a failing one does not stop the rest)."""
        self.storage_jobs.close()  # queued check-ins and baselines are written first
        self.members.close()  # the last session's end is on disk before the process exits
        try:
            self.vision.stop()
        except Exception:
            logger.exception("stopping vision failed")
        if self.qr_worker is not None:
            self.qr_worker.close()
            self.qr_worker = None
        self.machine.close()
        self.parts.close()
        self.voice.close()
        self.sound.close()
