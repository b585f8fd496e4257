"""CSI camera modules read from Raspberry Pi OS's own ``rpicam-vid`` over a pipe (raw I420).

Why a pipe and not Picamera2: the apt Picamera2 stack is compiled against the system numpy
(1.24 on Bookworm) and breaks when the venv's numpy 2 shadows it (picamera2 #1088, #1211).
``rpicam-vid`` is a separate C++ program from the same archive: nothing of it is imported, so
no numpy ABI can break it, on Bookworm or Trixie. It writes fixed-size YUV420 (I420) frames to
stdout; each is converted to RGB with one ``cv2.cvtColor`` (see docs/camera.md for its cost).
"""

from __future__ import annotations

import collections
import logging
import os
import selectors
import shutil
import subprocess
import time

import numpy as np

from vision.errors import SourceError
from vision.settings import CameraConfig
from vision.sources.base import rotate_image
from vision.threads import WorkerThread
from vision.types import Frame

logger = logging.getLogger(__name__)

#: The program (Raspberry Pi OS package ``rpicam-apps`` / ``rpicam-apps-lite``).
RPICAM_VID = "rpicam-vid"
#: The Pi's ISP pads each YUV420 row to 64 bytes: a width that is a multiple of 64 has no
#: padding, so a frame is exactly W*H*3/2 bytes.
WIDTH_ALIGN = 64
#: How long `open` watches a new rpicam-vid for an early exit (busy or absent camera: it
#: fails within ~0.5 s). Shorter than the capture thread's smallest stall limit would allow
#: is not needed: `open` returns as soon as the first bytes arrive.
OPEN_WATCH_S = 1.5
#: A camera start (libcamera, sensor mode, first exposure) can take a few seconds.
FIRST_FRAME_S = 10.0
#: After that, this long without a byte (at least 5 frame intervals) is a hung rpicam-vid.
NEXT_FRAME_S = 2.0
_INSTALL_HINT = "install it with `sudo apt install rpicam-apps-lite` (Raspberry Pi OS)"


def aligned_size(width: int, height: int) -> tuple[int, int]:
    """The nearest size at or below (width, height) whose rows carry no ISP padding."""
    return max(WIDTH_ALIGN, width - width % WIDTH_ALIGN), max(2, height - height % 2)


def rpicam_command(camera_num: int, width: int, height: int, fps: int) -> list[str]:
    """The ``rpicam-vid`` arguments: endless, no preview, raw I420 frames on stdout."""
    return [
        RPICAM_VID,
        "--camera", str(camera_num),
        "-t", "0",
        "-n",
        "--codec", "yuv420",
        "--width", str(width),
        "--height", str(height),
        "--framerate", str(fps),
        "--verbose", "0",  # no per-frame line on stderr
        "-o", "-",
    ]  # fmt: skip


def list_cameras(timeout_s: float = 10.0) -> list[str]:
    """The CSI cameras ``rpicam-vid --list-cameras`` reports (lines "0 : imx708 ..")."""
    exe = shutil.which(RPICAM_VID)
    if exe is None:
        return []
    try:
        done = subprocess.run(
            [exe, "--list-cameras"], capture_output=True, text=True, timeout=timeout_s
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        logger.debug("rpicam-vid --list-cameras: %s", exc)
        return []
    lines = (done.stdout + "\n" + done.stderr).splitlines()
    return [line.strip() for line in lines if line[:1].isdigit() and " : " in line]


def explain_failure(code: int | None, stderr: list[str]) -> str:
    """A staff-readable reason from rpicam-vid's exit status and its last stderr lines."""
    errors = [line for line in stderr if line.startswith("ERROR")]
    last = errors[-1] if errors else (stderr[-1] if stderr else "")
    text = " ".join(stderr).lower()
    if "failed to acquire camera" in text or "in use by another process" in text:
        why = "the CSI camera is in use by another program (a second kiosk, rpicam-hello?)"
    elif "no cameras available" in text:
        why = "no CSI camera detected (check the ribbon cable; `rpicam-hello --list-cameras`)"
    else:
        why = "rpicam-vid stopped"
    status = "" if code is None else f", exit status {code}"
    return f"{why}{status}" + (f": {last.strip()}" if last else "")


class RpiCamera:
    """A Raspberry Pi CSI camera module, read from an ``rpicam-vid`` child process.

    ``open`` starts the process and waits for the first frame (so a busy or absent camera is
    a `SourceError` at once, with rpicam's own message); ``read`` returns the next frame and
    raises `SourceError` when the process ends (the capture thread then reconnects, which
    starts a new process). stderr is drained by a thread, keeping the last lines for errors.
    """

    is_live = True

    def __init__(
        self,
        camera_num: int = 0,
        *,
        width: int = 640,
        height: int = 480,
        fps: int = 30,
        rotation: int = 0,
    ) -> None:
        self.camera_num = camera_num
        self.width, self.height = aligned_size(width, height)
        if (self.width, self.height) != (width, height):
            logger.info(
                "CSI camera: %dx%d asked, %dx%d used (rows must be a multiple of %d pixels)",
                width, height, self.width, self.height, WIDTH_ALIGN,
            )  # fmt: skip
        self.fps = fps
        self.rotation = rotation
        self.name = f"rpicam:{camera_num}"
        self.frame_bytes = self.width * self.height * 3 // 2
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        self._drain: WorkerThread | None = None
        self._count = 0
        self._pending = b""  # the bytes `open` read to see that frames flow

    @classmethod
    def from_config(cls, cfg: CameraConfig) -> RpiCamera:
        """A camera with the size, rate and rotation of the camera config (camera 0)."""
        return cls(0, width=cfg.width, height=cfg.height, fps=cfg.fps, rotation=cfg.rotation)

    @property
    def is_open(self) -> bool:
        """True between a successful `open` and `close`."""
        return self._proc is not None

    def open(self) -> None:
        """Start rpicam-vid and take its first frame; raise `SourceError` if it cannot."""
        if self._proc is not None:
            return
        exe = shutil.which(RPICAM_VID)
        if exe is None:
            raise SourceError(f"CSI camera: {RPICAM_VID} is not installed; {_INSTALL_HINT}")
        command = [exe, *rpicam_command(self.camera_num, self.width, self.height, self.fps)[1:]]
        # libcamera's INFO lines would fill the journal; its errors still come through.
        env = {
            **os.environ,
            "LIBCAMERA_LOG_LEVELS": os.environ.get("LIBCAMERA_LOG_LEVELS", "*:ERROR"),
        }
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, bufsize=0,
            )  # fmt: skip
        except OSError as exc:
            raise SourceError(f"CSI camera: cannot start {exe}: {exc}") from exc
        self._stderr.clear()
        self._proc = proc
        # ends by itself when rpicam-vid closes its stderr (the process ended)
        self._drain = WorkerThread(lambda: self._drain_stderr(proc), "backstep-rpicam-stderr")
        self._drain.start()
        self._count = 0
        self._pending = b""
        try:
            self._watch_start(proc)
        except SourceError:
            self.close()
            raise
        logger.info(
            "CSI camera %d via %s: %dx%d @ %d fps (I420 pipe)",
            self.camera_num, RPICAM_VID, self.width, self.height, self.fps,
        )  # fmt: skip

    def read(self) -> Frame:
        """The next frame (RGB, rotated); raises `SourceError` when rpicam-vid stops."""
        if self._proc is None:
            raise SourceError(f"CSI camera {self.camera_num} is not open")
        return self._read_frame()

    def close(self) -> None:
        """Stop rpicam-vid (SIGTERM, then SIGKILL) and release the pipe; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._end(proc)
        if proc.stdout is not None:
            proc.stdout.close()
        if self._drain is not None:
            self._drain.join(1.0)

    def __enter__(self) -> RpiCamera:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _end(proc: subprocess.Popen[bytes]) -> None:
        """SIGTERM, then SIGKILL after 3 s; reaped either way."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=3)

    def _drain_stderr(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        with proc.stderr:
            for raw in proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    self._stderr.append(line)
                    logger.debug("rpicam-vid: %s", line)

    def _failure(self, proc: subprocess.Popen[bytes]) -> SourceError:
        try:
            code = proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        if self._drain is not None:
            self._drain.join(1.0)  # its last lines say why
        return SourceError(
            f"CSI camera {self.camera_num}: {explain_failure(code, list(self._stderr))}"
        )

    def _watch_start(self, proc: subprocess.Popen[bytes]) -> None:
        """Return once frames flow (or after `OPEN_WATCH_S`); raise if rpicam-vid quit.

        Not a wait for a whole first frame: the capture thread times `open` against its
        stall limit, and a cold camera start can take longer; the first `read` waits for it.
        """
        assert proc.stdout is not None
        deadline = time.monotonic() + OPEN_WATCH_S
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout.fileno(), selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise self._failure(proc)
                if sel.select(0.02):
                    # readable is also EOF (a busy camera's exit): read, to tell them apart
                    self._pending = os.read(proc.stdout.fileno(), self.frame_bytes)
                    if not self._pending:
                        raise self._failure(proc)
                    return

    def _read_frame(self) -> Frame:
        proc = self._proc
        if proc is None or proc.stdout is None:
            raise SourceError(f"CSI camera {self.camera_num} is not open")
        buf = bytearray(self.frame_bytes)
        view = memoryview(buf)
        got = len(self._pending)
        view[:got] = self._pending
        self._pending = b""
        fd = proc.stdout.fileno()
        # A hung rpicam-vid (alive, silent) must not hold the camera forever: the capture
        # thread abandons a stuck read, but only this source can end the process, and a
        # new one gets "camera in use" until it has.
        limit = FIRST_FRAME_S if self._count == 0 else max(NEXT_FRAME_S, 5.0 / self.fps)
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while got < self.frame_bytes:
                if not sel.select(limit):
                    self._end(proc)
                    raise SourceError(
                        f"CSI camera {self.camera_num}: no frame from {RPICAM_VID} in "
                        f"{limit:.0f} s (hung; stopped it)"
                    )
                n = os.readv(fd, [view[got:]])  # straight into the frame buffer: no copy
                if not n:
                    raise self._failure(proc)
                got += n
        t = time.monotonic()
        yuv = np.frombuffer(buf, dtype=np.uint8).reshape(self.height * 3 // 2, self.width)
        frame = Frame(image=rotate_image(i420_to_rgb(yuv), self.rotation), t=t, index=self._count)
        self._count += 1
        return frame


def i420_to_rgb(yuv: np.ndarray) -> np.ndarray:
    """An (H*3/2) x W I420 buffer as an H x W x 3 RGB image (what MediaPipe wants)."""
    import cv2

    return np.asarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420))


def probe_rpicam(cfg: CameraConfig) -> str | None:
    """For ``backstep doctor``: None when the CSI camera gives a frame, else why not.

    "not installed" and "no CSI camera" are quiet answers (a USB station has neither).
    """
    if shutil.which(RPICAM_VID) is None:
        return f"{RPICAM_VID} not installed"
    if not list_cameras():
        return "no CSI camera listed by rpicam-vid"
    camera = RpiCamera.from_config(cfg)
    try:
        camera.open()
        camera.read()
    except SourceError as exc:
        return str(exc)
    finally:
        camera.close()
    return None
