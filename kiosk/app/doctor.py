"""``backstep doctor``: check that this machine can run a session, with a fix for each problem.

Every probe runs under a time limit (a wedged camera driver or display must not hang the
doctor) and touches nothing it does not need: no frame is saved, nothing is downloaded.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from kiosk.config.loader import ConfigFileError, load_config_with_source
from kiosk.config.schema import BackstepConfig, StaffConfig
from kiosk.errors import KioskError
from kiosk.store.connection import data_dir_source
from kiosk.store.database import database_path, resolve_data_dir
from kiosk.store.health import check_storage

logger = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]
T = TypeVar("T")

#: Below this much free space on the data disk a session cannot be recorded safely.
DISK_FAIL_BYTES = 200 * 1024**2
DISK_WARN_BYTES = 1024**3


@dataclass(frozen=True)
class CheckResult:
    """One line of the doctor's table: what was checked, how it went, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def is_blocking(self) -> bool:
        """True when this problem stops a session from running."""
        return self.status == "fail"


class ProbeTimeout(KioskError, TimeoutError):
    """A probe did not finish within its time limit."""


def run_with_timeout(fn: Callable[[], T], timeout_s: float) -> T:
    """Run ``fn`` in a daemon thread; raise `ProbeTimeout` if it is not done in time.

    A probe that hangs inside a driver cannot be killed from Python; its thread is left
    behind and, being a daemon (unlike a ThreadPoolExecutor's workers, which the interpreter
    joins at exit), does not keep the doctor from exiting.
    """
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(fn())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="doctor-probe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if errors:
        raise errors[0]
    if not results:
        raise ProbeTimeout(f"no answer within {timeout_s:g} s")
    return results[0]


# --------------------------------------------------------------------------- checks


def check_config(config_path: Path | str | None) -> tuple[CheckResult, BackstepConfig]:
    """The config file is valid; returns the config the other checks use (defaults if not)."""

    try:
        loaded = load_config_with_source(config_path)
    except ConfigFileError as exc:
        first = exc.issues[0].format(exc.path) if exc.issues else str(exc)
        more = f" (+{len(exc.issues) - 1} more)" if len(exc.issues) > 1 else ""
        return (
            CheckResult("config", "fail", first + more, f"run `backstep config check {exc.path}`"),
            BackstepConfig(),
        )
    where = f"{loaded.path} ({loaded.source})"
    if loaded.config.staff.pin == StaffConfig.model_fields["pin"].default:
        fix = f"set staff.pin in {loaded.path}: the default is in the public docs"
        result = CheckResult("config", "warn", f"{where}; staff.pin is the default", fix)
    else:
        result = CheckResult("config", "ok", where)
    return result, loaded.config


def _probe_usb(device: str, timeout_s: float) -> str | None:
    """None when one frame could be read from ``device``, else why not."""
    from vision.sources.usb import UsbCamera

    def read_one() -> bool:
        camera = UsbCamera(device)
        try:
            camera.open()
            return camera.read() is not None
        finally:
            camera.close()

    try:
        return None if run_with_timeout(read_one, timeout_s) else "opened but gave no frame"
    except ProbeTimeout as exc:
        return str(exc)
    except Exception as exc:  # any driver error means "not usable", never a crash
        return str(exc) or type(exc).__name__


def check_camera(cfg: BackstepConfig, timeout_s: float = 8.0) -> CheckResult:
    """A camera is present and gives frames; without one, whether the demo clip can stand in."""
    from vision.sources.video import demo_path

    source = cfg.camera.source
    if source == "demo":
        return CheckResult("camera", "ok", "camera.source = 'demo': the built-in clip plays")
    if source == "file":
        file = cfg.camera.file
        if file is not None and Path(file).is_file():
            return CheckResult("camera", "ok", f"camera.source = 'file': {file}")
        return CheckResult(
            "camera", "fail", f"camera.file {file} does not exist", "set camera.file to a video"
        )
    usable: list[str] = []
    problems: list[str] = []
    if source in ("auto", "picamera"):
        from vision.sources.picamera import is_picamera_available

        try:
            if run_with_timeout(is_picamera_available, timeout_s):
                usable.append("CSI camera (picamera2)")
        except ProbeTimeout as exc:
            problems.append(f"picamera2: {exc}")
    if source in ("auto", "usb"):
        devices = (
            [str(cfg.camera.device)]
            if isinstance(cfg.camera.device, str) and cfg.camera.device.startswith("/")
            else sorted(glob.glob("/dev/video*"))
        )
        for device in devices[:4]:  # UVC cameras add metadata nodes that never give frames
            if not os.access(device, os.R_OK | os.W_OK):
                problems.append(f"{device}: no permission")
                continue
            why = _probe_usb(device, timeout_s)
            if why is None:
                usable.append(device)
                break
            problems.append(f"{device}: {why}")
    if usable:
        return CheckResult("camera", "ok", "readable: " + ", ".join(usable))
    detail = "no camera found" + (f" ({'; '.join(problems)})" if problems else "")
    fix = (
        "connect a USB camera or a CSI camera (then `sudo systemd/install.sh --csi`); "
        "a permission problem needs the user in group video"
    )
    if source == "auto" and demo_path().is_file():
        return CheckResult("camera", "warn", detail + "; the demo clip plays instead", fix)
    return CheckResult("camera", "fail", f"{detail}; camera.source = '{source}' needs one", fix)


def check_model(cfg: BackstepConfig, timeout_s: float = 120.0) -> CheckResult:
    """The pose model file exists and loads (verified once, then only checksummed)."""
    from vision.errors import ModelError
    from vision.pose.model import find_model, verify_model

    fix = "run `backstep model fetch` (as the kiosk's user)"
    try:
        resolved = find_model(cfg.model)
        run_with_timeout(lambda: verify_model(resolved.path), timeout_s)
    except ModelError as exc:
        return CheckResult("model", "fail", str(exc), fix)
    except ProbeTimeout as exc:
        return CheckResult("model", "fail", f"loading the model: {exc}", fix)
    note = f"; {resolved.note}" if resolved.note else ""
    return CheckResult("model", "ok", f"{resolved.path} ({resolved.variant}){note}")


def _load_pin_factory(name: str) -> str:
    # The kiosk's own chooser, so the doctor sees exactly what `backstep run` would get.
    from hw.factory import make_pin_factory

    factory, owned = make_pin_factory(name)
    try:
        return type(factory).__name__
    finally:
        if owned:
            factory.close()


def check_gpio(cfg: BackstepConfig, timeout_s: float = 8.0) -> CheckResult:
    """A gpiozero pin factory loads, so the buttons, LED and buzzer work."""
    name = cfg.gpio.pin_factory
    if name in ("none", "mock"):
        return CheckResult("gpio", "ok", f"gpio.pin_factory = '{name}': no physical buttons")
    if name == "auto" and os.environ.get("GPIOZERO_PIN_FACTORY") == "mock":
        return CheckResult("gpio", "ok", "GPIOZERO_PIN_FACTORY=mock: no physical buttons")
    chips = sorted(glob.glob("/dev/gpiochip*"))
    try:
        loaded = run_with_timeout(lambda: _load_pin_factory(name), timeout_s)
    except Exception as exc:
        detail = f"{exc}; gpio chips: {', '.join(chips) or 'none'}"
        fix = (
            "on a Pi: `sudo apt install python3-lgpio` and a venv with --system-site-packages, "
            "user in group gpio; elsewhere set gpio.pin_factory = 'none'"
        )
        # Without buttons the kiosk still runs from the keyboard; a named factory is intent.
        return CheckResult("gpio", "warn" if name == "auto" else "fail", detail, fix)
    return CheckResult("gpio", "ok", f"{loaded} ({', '.join(chips) or 'no /dev/gpiochip'})")


_DISPLAY_PROBE = (
    "import pygame\n"
    "pygame.display.init()\n"
    "print(pygame.display.get_driver())\n"
    "pygame.display.quit()\n"
)


def display_candidates(driver: str, environ: dict[str, str] | None = None) -> list[str]:
    """SDL video drivers to try for ``display.driver`` (in the kiosk's order for "auto")."""
    env = os.environ if environ is None else environ
    if driver != "auto":
        return [driver]
    if env.get("SDL_VIDEODRIVER"):
        return [env["SDL_VIDEODRIVER"]]
    found = []
    if env.get("WAYLAND_DISPLAY"):
        found.append("wayland")
    if env.get("DISPLAY"):
        found.append("x11")
    return [*found, "kmsdrm"]


def _probe_display(driver: str, timeout_s: float) -> str | None:
    """None when pygame initialises ``driver`` (in a child process: SDL state stays clean)."""
    env = {**os.environ, "SDL_VIDEODRIVER": driver, "PYGAME_HIDE_SUPPORT_PROMPT": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DISPLAY_PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"no answer within {timeout_s:g} s"
    if done.returncode == 0:
        return None
    lines = done.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit status {done.returncode}"


def check_display(cfg: BackstepConfig, timeout_s: float = 10.0) -> CheckResult:
    """pygame can open the configured (or an available) SDL video driver."""
    driver = cfg.display.driver
    if driver in ("dummy", "offscreen"):
        return CheckResult("display", "ok", f"display.driver = '{driver}': headless")
    dri = "present" if Path("/dev/dri").exists() else "missing"
    problems = []
    for candidate in display_candidates(driver):
        why = _probe_display(candidate, timeout_s)
        if why is None:
            return CheckResult("display", "ok", f"SDL driver {candidate} works (/dev/dri {dri})")
        problems.append(f"{candidate}: {why}")
    detail = f"no display ({'; '.join(problems)}; /dev/dri {dri})"
    fix = (
        "on a console-only Pi: display.driver = 'kmsdrm', user in groups video, render, input; "
        "check the HDMI/DSI cable"
    )
    if driver == "auto":
        return CheckResult("display", "warn", detail + "; the kiosk runs headless", fix)
    return CheckResult("display", "fail", detail, fix)


def data_dir_for(cfg: BackstepConfig) -> Path:
    """The data directory the kiosk would use."""
    return resolve_data_dir(cfg.storage)


def _existing_ancestor(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_data_dir(path: Path, cfg: BackstepConfig | None = None) -> CheckResult:
    """The data directory exists (or can be created) and a file can be written in it.

    With ``cfg`` and an existing database, the storage module's own health check runs too.
    Nothing is created: run as root, a new database would be unwritable for the kiosk.
    """
    fix = f"set storage.data_dir, or give the kiosk's user write access to {path}"
    target = path if path.is_dir() else _existing_ancestor(path)
    if not target.is_dir():
        return CheckResult("data dir", "fail", f"{target} is not a directory", fix)
    try:
        # A real write, not os.access: root passes os.access on a read-only filesystem.
        with tempfile.NamedTemporaryFile(dir=target, prefix=".doctor-"):
            pass
    except OSError as exc:
        return CheckResult("data dir", "fail", f"{target} is not writable ({exc.strerror})", fix)
    where = str(path) if target == path else f"{path} (will be created in {target})"
    if cfg is not None:
        where += f" [from {data_dir_source(cfg.storage)}]"
    if cfg is not None and target == path and database_path(cfg.storage).is_file():
        problems = check_storage(cfg.storage)
        if problems:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            return CheckResult("data dir", "fail", problems[0] + more, fix)
        return CheckResult("data dir", "ok", f"{where} is writable; database healthy")
    return CheckResult("data dir", "ok", f"{where} is writable")


def check_fleet(cfg: BackstepConfig, timeout_s: float = 10.0) -> CheckResult:
    """The central database of a fleet: reachable, last sync, rows waiting (warns only)."""
    from kiosk.fleet.health import fleet_health

    try:
        health = run_with_timeout(lambda: fleet_health(cfg), timeout_s)
    except ProbeTimeout:
        return CheckResult("fleet", "warn", f"server did not answer in {timeout_s:.0f} s")
    return CheckResult("fleet", health.status, health.detail, health.fix)


def check_disk(path: Path) -> CheckResult:
    """Enough free space where the data directory lives."""
    target = _existing_ancestor(path)
    free = shutil.disk_usage(target).free
    detail = f"{free / 1024**3:.1f} GB free on {target}"
    fix = "free disk space, or lower storage.retention_days"
    if free < DISK_FAIL_BYTES:
        return CheckResult("disk", "fail", detail, fix)
    if free < DISK_WARN_BYTES:
        return CheckResult("disk", "warn", detail, fix)
    return CheckResult("disk", "ok", detail)


def check_recording(path: Path) -> CheckResult:
    """Recording failures the running kiosk counted (it writes them beside the database)."""
    from kiosk.app.store_link import read_saving_status

    status = read_saving_status(path)
    if not status or not status.get("recording_failures"):
        return CheckResult("recording", "ok", "no recording failures reported")
    n = int(status["recording_failures"])
    detail = f"{n} recording failure(s) reported by the kiosk; last: {status.get('last_error')}"
    fix = "see the data dir and disk lines; `journalctl -u backstep` has each failure"
    return CheckResult("recording", "warn", detail, fix)


def run_checks(config_path: Path | str | None = None) -> list[CheckResult]:
    """Every check, in the order a technician would fix them."""
    result, cfg = check_config(config_path)
    results = [result]
    data_dir = data_dir_for(cfg)
    for check in (
        lambda: check_camera(cfg),
        lambda: check_model(cfg),
        lambda: check_gpio(cfg),
        lambda: check_display(cfg),
        lambda: check_data_dir(data_dir, cfg),
        lambda: check_disk(data_dir),
        _check_clock,
        lambda: check_recording(data_dir),
        lambda: check_fleet(cfg),
    ):
        try:
            results.append(check())
        except Exception as exc:  # one broken probe must not hide the others' answers
            logger.exception("doctor check failed")
            results.append(CheckResult("doctor", "fail", f"check crashed: {exc!r}"))
    return results


def _check_clock() -> CheckResult:
    from kiosk.app.doctor_clock import check_clock  # its own module: doctor.py is near 400 lines

    report = check_clock()
    return CheckResult("clock", report.status, report.detail, report.fix)


_MARK = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


def format_table(results: list[CheckResult]) -> str:
    """A plain-text table: check, status, detail, and an indented fix under each problem."""
    width = max(len(r.name) for r in results)
    lines = []
    for r in results:
        lines.append(f"{r.name:<{width}}  {_MARK[r.status]:<4}  {r.detail}")
        if r.fix and r.status != "ok":
            lines.append(f"{'':<{width}}        fix: {r.fix}")
    blocking = sum(r.is_blocking for r in results)
    warnings = sum(r.status == "warn" for r in results)
    if blocking:
        lines.append(f"{blocking} problem(s) block a session, {warnings} warning(s)")
    else:
        lines.append(f"ready for a session ({warnings} warning(s))")
    return "\n".join(lines)


def exit_code(results: list[CheckResult]) -> int:
    """1 when anything blocks a session, else 0 (warnings do not)."""
    return 1 if any(r.is_blocking for r in results) else 0
