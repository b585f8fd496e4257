"""The real kiosk as a child process (`backstep run --headless`), its log read line by line."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from support.paths import FIXTURES, ROOT

CLIP = FIXTURES / "single_person_front.mp4"

#: A station config for fault tests: no check-in (START goes straight to positioning), no
#: sound, and a PIN that is quick to enter with the buttons (1, 0, 0, 0).
CONFIG = """
[checkin]
qr = false
card = false
buttons = false
guest = true

[cues]
sound = false

[staff]
pin = "1000"
"""


def write_config(tmp: Path, extra: str = "") -> Path:
    """A config file in ``tmp`` (``extra`` TOML appended)."""
    path = tmp / "backstep.toml"
    path.write_text(CONFIG + extra)
    return path


class KioskProcess:
    """``backstep run`` in a child process with its own data folder.

    stderr (the log) is read by a thread into a queue, so ``wait_for`` can wait for a log
    line without blocking on a pipe; ``log`` keeps every line read so far.
    """

    def __init__(
        self,
        config: Path,
        data_dir: Path,
        *args: str,
        source: str | None = str(CLIP),
        env: dict[str, str] | None = None,
    ) -> None:
        cmd = [
            sys.executable,
            "-c",
            "from kiosk.cli import main; main()",
            "run",
            "--headless",
            "--config",
            str(config),
            *(["--source", source] if source is not None else []),
            *args,
        ]
        child_env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BACKSTEP_DATA_DIR": str(data_dir),
            "SDL_VIDEODRIVER": "dummy",
            "SDL_AUDIODRIVER": "dummy",
            "GPIOZERO_PIN_FACTORY": "mock",
            **(env or {}),
        }
        self.data_dir = data_dir
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stdout = ""

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, text: str, timeout: float = 120.0) -> str:
        """The first log line (from now on) containing ``text``; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no log line with {text!r} in {timeout} s:\n" + self.tail())
            try:
                line = self._lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"kiosk exited before logging {text!r}:\n" + self.tail())
            self.log.append(line)
            if text in line:
                return line

    def tail(self, n: int = 40) -> str:
        """The last ``n`` log lines read so far."""
        return "\n".join(self.log[-n:])

    def signal(self, sig: int = signal.SIGTERM) -> None:
        """Send ``sig`` to the kiosk."""
        self.proc.send_signal(sig)

    def finish(self, timeout: float = 60.0) -> int:
        """Wait for the exit; returns the exit status and keeps stdout (the JSON line)."""
        # not communicate(): the reader thread owns stderr; stdout is one short JSON line
        self.proc.wait(timeout=timeout)
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout.read()
        self._reader.join(5)
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.log.append(line)
        return self.proc.returncode

    def summary(self) -> dict[str, Any]:
        """The JSON summary line printed at exit."""
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith("{")]
        assert lines, f"no JSON line on stdout: {self.stdout!r}\n{self.tail()}"
        return dict(json.loads(lines[-1]))

    def kill(self) -> None:
        """SIGKILL if still running (test clean-up)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
