"""`vision.retry.Backoff`: the one retry policy (sync, capture, model load, store, display)."""

from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path

import pytest

from vision.retry import Backoff

ROOT = Path(__file__).resolve().parents[2]


def test_delays_double_from_the_first_up_to_the_cap() -> None:
    backoff = Backoff(0.5, 10.0)
    assert [backoff.next() for _ in range(8)] == [0.5, 1, 2, 4, 8, 10, 10, 10]


def test_reset_starts_again_from_the_first_delay() -> None:
    backoff = Backoff(2.0, 60.0)
    backoff.next(), backoff.next()
    assert backoff.delay == 8.0
    backoff.reset()
    assert backoff.next() == 2.0


def test_a_first_delay_above_the_cap_falls_to_the_cap_next() -> None:
    # fleet sync: sync_interval_s may exceed the 30 s cap; it did min(cap, delay * 2) by hand
    backoff = Backoff(60.0, 30.0)
    assert [backoff.next() for _ in range(3)] == [60.0, 30.0, 30.0]


def test_jitter_spreads_each_delay_within_its_fraction_and_never_past_the_cap() -> None:
    backoff = Backoff(1.0, 4.0, jitter=0.25, rng=random.Random(7))
    delays = [backoff.next() for _ in range(200)]
    plain = [1.0, 2.0] + [4.0] * 198
    for delay, base in zip(delays, plain, strict=True):
        assert base * 0.75 <= delay <= min(base * 1.25, 4.0)
    assert len({round(d, 6) for d in delays[3:]}) > 10  # really spread, not one value


def test_wait_returns_at_once_when_stopped() -> None:
    stop = threading.Event()
    stop.set()
    started = time.monotonic()
    assert Backoff(30.0, 60.0).wait(stop) is True
    assert time.monotonic() - started < 1.0


def test_wait_pauses_for_the_delay_when_not_stopped() -> None:
    started = time.monotonic()
    assert Backoff(0.05, 1.0).wait(threading.Event()) is False
    assert time.monotonic() - started >= 0.04


@pytest.mark.parametrize("bad", [dict(first_s=-1, cap_s=1), dict(first_s=1, cap_s=2, jitter=2)])
def test_a_nonsense_policy_is_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        Backoff(**bad)


def test_no_module_doubles_a_retry_delay_by_hand() -> None:
    """The five hand copies (fleet sync, capture, model load, store link, display) use Backoff."""
    doubling = re.compile(r"\b(delay|backoff|wait|pause)\w*\s*\*\s*2\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in ("vision", "kiosk", "hw", "dashboard")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "retry.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if doubling.search(line)
    ]
    assert offenders == []
