"""Pose model test fixtures: the cached model and wheel, an isolated cache, a server."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from vision.pose import model as model_mod
from vision.pose.model import cache_dir, ensure_model
from vision.pose.model_bundle import download_wheel
from vision.settings import ModelConfig


@pytest.fixture(scope="session")
def good_model() -> Path:
    """The real full model in the real user cache (built at most once per machine)."""
    return ensure_model(ModelConfig(), pypi_only=True)


@pytest.fixture(scope="session")
def cached_wheel() -> Path:
    """The mediapipe 0.10.21 wheel in the real user cache (pip-downloaded at most once)."""
    return download_wheel(cache_dir() / "wheels")


@pytest.fixture
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache root via BACKSTEP_CACHE_DIR; the official URL points at a closed port."""
    root = tmp_path / "cache"
    monkeypatch.setenv("BACKSTEP_CACHE_DIR", str(root))
    # Port 9 (discard) on loopback: refused at once, so no test waits on the network.
    monkeypatch.setattr(
        model_mod, "MODEL_URL_TEMPLATE", "http://127.0.0.1:9/pose_landmarker_{variant}.task"
    )
    return root


@pytest.fixture
def serve_bytes() -> Iterator[Callable[[bytes], str]]:
    """Start a loopback HTTP server answering every GET with the given bytes; yields a URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(payload: bytes) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/pose_landmarker_{{variant}}.task"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
