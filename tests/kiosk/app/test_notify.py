"""sd_notify: READY/WATCHDOG datagrams reach a real NOTIFY_SOCKET (path and abstract)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app.notify import Notifier


def receive(sock: socket.socket) -> str:
    sock.settimeout(10)  # a hang guard: the datagram is already queued when this runs
    return sock.recv(4096).decode()


@pytest.fixture
def path_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    address = str(tmp_path / "notify.sock")
    sock.bind(address)
    yield sock, address
    sock.close()


@pytest.fixture
def abstract_socket() -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"backstep-test-{uuid.uuid4().hex}"
    sock.bind("\0" + name)
    yield sock, "@" + name
    sock.close()


def test_ready_and_watchdog_reach_a_socket_path(path_socket: tuple[socket.socket, str]) -> None:
    sock, address = path_socket
    notifier = Notifier({"NOTIFY_SOCKET": address})
    assert notifier.is_enabled
    assert notifier.ready(status="camera and model up")
    assert receive(sock) == "READY=1\nSTATUS=camera and model up"
    assert notifier.watchdog()
    assert receive(sock) == "WATCHDOG=1"
    assert notifier.status("session running\nsecond line dropped")
    assert receive(sock) == "STATUS=session running"
    assert notifier.stopping()
    assert receive(sock) == "STOPPING=1"
    notifier.close()
    notifier.close()


def test_an_abstract_socket_name_with_at_is_reached(
    abstract_socket: tuple[socket.socket, str],
) -> None:
    sock, address = abstract_socket
    notifier = Notifier({"NOTIFY_SOCKET": address})
    assert notifier.ready()
    assert receive(sock) == "READY=1"
    assert notifier.watchdog()
    assert receive(sock) == "WATCHDOG=1"
    notifier.close()


def test_reloading_carries_a_monotonic_timestamp(path_socket: tuple[socket.socket, str]) -> None:
    sock, address = path_socket
    Notifier({"NOTIFY_SOCKET": address}).reloading()
    first, second = receive(sock).split("\n")
    assert first == "RELOADING=1"
    assert second.startswith("MONOTONIC_USEC=") and int(second.split("=")[1]) > 0


def test_without_notify_socket_every_call_is_a_no_op() -> None:
    notifier = Notifier({})
    assert not notifier.is_enabled
    assert notifier.ready() is False
    assert notifier.watchdog() is False
    assert notifier.keepalive() is False
    assert notifier.watchdog_interval() is None


def test_a_vanished_socket_is_reported_not_raised(tmp_path: Path) -> None:
    notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock")})
    assert notifier.ready() is False
    assert notifier.watchdog() is False


def test_the_watchdog_interval_is_half_of_watchdog_usec() -> None:
    env = {"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000"}
    assert Notifier(env).watchdog_interval() == 15.0
    assert Notifier({**env, "WATCHDOG_PID": str(os.getpid())}).watchdog_interval() == 15.0
    # The watchdog belongs to another process (we are its child): never ping it.
    assert Notifier({**env, "WATCHDOG_PID": str(os.getpid() + 1)}).watchdog_interval() is None
    assert Notifier({**env, "WATCHDOG_USEC": "junk"}).watchdog_interval() is None


def test_keepalive_pings_once_per_half_interval(path_socket: tuple[socket.socket, str]) -> None:
    sock, address = path_socket
    notifier = Notifier({"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "3600000000"})
    assert notifier.keepalive() is True
    assert receive(sock) == "WATCHDOG=1"
    # Called again every frame: nothing more is sent until half an hour has passed.
    assert [notifier.keepalive() for _ in range(5)] == [False] * 5
    sock.setblocking(False)
    with pytest.raises(BlockingIOError):
        sock.recv(4096)
