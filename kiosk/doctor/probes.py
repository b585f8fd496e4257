"""Time-limited probes of the station's devices for ``backstep doctor``: camera, GPIO, display.

Every probe runs under a time limit (a wedged camera driver or display must not hang the
doctor) and touches nothing it does not need: no frame is saved.
"""

from __future__ import annotations

import glob
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from kiosk.config.schema import BackstepConfig
from kiosk.doctor.errors import ProbeTimeout as ProbeTimeout
from vision.threads import WorkerThread

logger = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]

_DISPLAY_PROBE = (
    "import pygame\n"
    "pygame.display.init()\n"
    "print(pygame.display.get_driver())\n"
    "pygame.display.quit()\n"
)

T = TypeVar("T")


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

    thread = WorkerThread(target, "backstep-doctor-probe")
    thread.start()
    thread.join(timeout_s)
    if errors:
        raise errors[0]
    if not results:
        raise ProbeTimeout(f"no answer within {timeout_s:g} s")
    return results[0]


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
    if source in ("auto", "rpicam"):
        from vision.sources.rpicam import probe_rpicam  # CSI via rpicam-vid

        try:
            why = run_with_timeout(lambda: probe_rpicam(cfg.camera), timeout_s)
            if why is None:
                usable.append("CSI camera (rpicam-vid)")
            elif source == "rpicam" or ("not installed" not in why and "no CSI" not in why):
                problems.append(why)
        except ProbeTimeout as exc:
            problems.append(f"rpicam-vid: {exc}")
    if source == "picamera":
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
        "connect a USB camera or a CSI camera module (read by rpicam-vid: "
        "`sudo apt install rpicam-apps-lite`; `rpicam-hello --list-cameras` lists it); "
        "a permission problem needs the user in group video"
    )
    if source == "auto" and demo_path().is_file():
        return CheckResult("camera", "warn", detail + "; the demo clip plays instead", fix)
    return CheckResult("camera", "fail", f"{detail}; camera.source = '{source}' needs one", fix)


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
