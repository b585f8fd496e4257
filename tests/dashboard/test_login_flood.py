"""An anonymous flood of huge login names against a real uvicorn dashboard process (127.0.0.1)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from support.dashboard_data import seed_small
from support.dashboard_web import PASSWORD, TRAINER, add_trainer, csrf_of

pytestmark = pytest.mark.slow

#: The issue's bound: 2,000 unique 1 MB names (2 GB over loopback, about 20 s here).
FLOOD = 2000
NAME_BYTES = 1_000_000
#: A few of them come chunked, without a declared length.
CHUNKED_EVERY = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+)", text)
    assert match
    return int(match.group(1))


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    """`backstep dashboard` as systemd runs it (MALLOC_ARENA_MAX=2), its log in a file."""
    data = tmp_path / "data"
    seed_small(data)
    add_trainer(data)
    toml = tmp_path / "backstep.toml"
    toml.write_text(f'[storage]\ndata_dir = "{data}"\n')
    log = tmp_path / "dashboard.log"
    port = free_port()
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", "from kiosk.cli import main; main()",
             "dashboard", "--config", str(toml), "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "MALLOC_ARENA_MAX": "2"},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, server.pid, log
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def trainer_logs_in(base: str) -> bool:
    with httpx.Client(base_url=base, timeout=10) as c:
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", data={"username": TRAINER, "password": PASSWORD, "csrf": token})
        return r.status_code == 303 and c.get("/members").status_code == 200


def post_huge_name(c: httpx.Client, i: int, csrf: str) -> str:
    name = (f"{i:08d}" + "n" * NAME_BYTES)[:NAME_BYTES]
    body = f"username={name}&password=x&csrf={csrf}".encode()
    try:
        if i % CHUNKED_EVERY == 0:

            def chunks() -> Iterator[bytes]:
                for at in range(0, len(body), 65536):
                    yield body[at : at + 65536]

            r = c.post("/login", content=chunks(), headers={"content-type": _FORM})
        else:
            r = c.post("/login", content=body, headers={"content-type": _FORM})
        return str(r.status_code)
    except httpx.TransportError:
        return "closed"  # the server answered early and hung up: fine


_FORM = "application/x-www-form-urlencoded"


def test_a_flood_of_huge_login_names_leaves_memory_and_log_flat(
    dashboard: tuple[str, int, Path],
) -> None:
    base, pid, log = dashboard
    assert trainer_logs_in(base)  # warm: the argon2 hasher and templates are loaded
    start_kib = rss_kib(pid)
    t0 = time.monotonic()
    outcomes: Counter[str] = Counter()
    with httpx.Client(base_url=base, timeout=10) as c:
        csrf = csrf_of(c.get("/login").text)  # a valid form, as an attacker gets it
        for i in range(FLOOD):
            outcomes[post_huge_name(c, i, csrf)] += 1
    took = time.monotonic() - t0
    grown_kib = rss_kib(pid) - start_kib
    print(f"{FLOOD} x {NAME_BYTES} B in {took:.1f} s: {dict(outcomes)}; RSS +{grown_kib} KiB")

    assert set(outcomes) <= {"413", "closed"}, outcomes
    assert grown_kib < 10 * 1024
    assert log.stat().st_size < 1_000_000
    assert trainer_logs_in(base)
