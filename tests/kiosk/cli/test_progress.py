"""Progress bars go to stderr, and only when stderr is a terminal; stdout stays pure data."""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import os
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest
from support.paths import FIXTURES, ROOT

from kiosk.store.database import Store
from kiosk.store.records import Member

# the station fixture points storage.data_dir at its own folder (no BACKSTEP_DATA_DIR)
pytestmark = pytest.mark.config_data_dir

CLI = [sys.executable, "-c", "from kiosk.cli import main; main()"]


def run_cli(args: list[str], *, tty: bool) -> tuple[str, str]:
    """Run ``backstep ARGS``; stdout is a pipe, stderr a pseudo-terminal when ``tty``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    if not tty:
        done = subprocess.run(
            [*CLI, *args], capture_output=True, text=True, env=env, timeout=300, check=True
        )
        return done.stdout, done.stderr
    master, slave = os.openpty()
    # A terminal has a size; a fresh pty says 0x0, and tqdm then draws a zero-width bar.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:  # read while it runs: a full pty buffer would block the child
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(master)
    assert proc.returncode == 0, b"".join(chunks).decode(errors="replace")
    return out.decode(), b"".join(chunks).decode(errors="replace")


@pytest.fixture
def station(tmp_path: Path) -> Path:
    """A config whose database holds members and 40 finished sessions."""
    data = tmp_path / "data"
    start = dt.datetime(2026, 3, 10, 9, 0).timestamp()
    with Store(data / "backstep.sqlite3") as store:
        store.upsert_members([Member("7", "Ada", dt.date(2030, 1, 1))])
        for i in range(40):
            sid = store.start_session("7", "starter", start + i * 3600)
            store.finish_session(sid, "completed", start + i * 3600 + 120, {"steps": i})
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{data}"\n')
    return cfg


def test_export_shows_a_bar_on_a_terminal_and_keeps_stdout_pure_csv(station: Path) -> None:
    out, err = run_cli(["export", "--format", "csv", "--config", str(station)], tty=True)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 40 and rows[0]["member_name"] == "Ada"
    # tqdm's bar, on stderr (transient: drawn with \r, then cleared when done).
    assert "export:" in err and "/40 [" in err and "session/s" in err
    assert "\r" not in out and "/40" not in out


def test_no_bar_when_stderr_is_not_a_terminal(station: Path) -> None:
    out, err = run_cli(["export", "--format", "csv", "--config", str(station)], tty=False)
    assert len(list(csv.DictReader(io.StringIO(out)))) == 40
    assert err == ""  # a pipe, a file or the journal gets no bar at all


@pytest.mark.slow
def test_members_import_shows_a_bar_on_a_terminal(station: Path, tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text(
        "id,name,expires\n" + "".join(f"{100 + i},M{i},2030-01-01\n" for i in range(250))
    )
    out, err = run_cli(["members", "import", str(members), "--config", str(station)], tty=True)
    assert out == "250 added, 0 updated\n"
    assert "members import:" in err and "/250 [" in err
    out, err = run_cli(["members", "import", str(members), "--config", str(station)], tty=False)
    assert out == "0 added, 250 updated\n" and err == ""


@pytest.mark.slow
def test_analyze_counts_frames_on_stderr_and_writes_only_json_lines() -> None:
    clip = FIXTURES / "single_person_front.mp4"
    out, err = run_cli(["analyze", str(clip)], tty=True)
    lines = out.splitlines()
    assert len(lines) == 50 and all(json.loads(line)["frame"] >= 0 for line in lines)
    assert "analyze:" in err and "/50 [" in err and "frame" in err
