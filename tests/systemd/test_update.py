"""systemd/update.sh: a new version beside the old, checked, then switched; rollback.

The real thing on a scratch prefix (venvs built with pip from requirements/runtime.lock, the
new version's own `backstep` checking the config and the model); the root-only steps
(service user, systemctl) in a dry run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support.paths import ROOT

UPDATE = ROOT / "systemd" / "update.sh"
LOCK = ROOT / "requirements" / "runtime.lock"


def update(*args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BACKSTEP_INSTALL_RPI_ARCHIVE": "yes"}
    env.pop("PYTHONPATH", None)  # the release's own installed code, not this checkout's
    if config is not None:
        env["BACKSTEP_INSTALL_CONFIG"] = str(config)
    return subprocess.run(
        ["bash", str(UPDATE), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )


def actions(output: str) -> list[str]:
    return [line[2:] for line in output.splitlines() if line.startswith("+ ")]


def test_dry_run_builds_beside_checks_then_switches() -> None:
    done = update("--dry-run")
    assert done.returncode == 0, done.stderr
    steps = actions(done.stdout)
    joined = "\n".join(steps)
    [venv] = [s for s in steps if " -m venv --system-site-packages " in s]
    release = venv.split()[-1]
    assert release.startswith("/opt/backstep/releases/") and "-0.1.0" in release
    assert (
        f"{release}/bin/pip install --quiet --disable-pip-version-check -c {LOCK} {ROOT}" in steps
    )
    as_user = "runuser -u backstep -- env HOME=/var/lib/backstep"
    assert any(s.startswith(as_user) and s.endswith("config check /etc/backstep/backstep.toml")
               for s in steps)  # fmt: skip
    assert any(s.startswith(as_user) and s.endswith("model fetch --offline") for s in steps)
    assert any(
        s.startswith(as_user) and s.endswith(f"{release}/bin/backstep doctor") for s in steps
    )
    link = release.removeprefix("/opt/backstep/")
    assert f"ln -sfn {link} /opt/backstep/venv.new" in steps
    assert "mv -Tf /opt/backstep/venv.new /opt/backstep/venv" in steps
    # Build, check and add packages while the kiosk runs; stop for the doctor; switch; the
    # release's units and wrapper; start; the kiosk proves model, frame and pose; only then
    # is the release marked working.
    order = [
        joined.index(s)
        for s in ("-m venv", "config check", "model fetch", "apt-get install",
                  "systemctl stop", " doctor", "mv -Tf",
                  "/backstep-release/systemd/backstep.service", "systemctl start",
                  "kiosk.deploy.health wait", " ok")
    ]  # fmt: skip
    assert order == sorted(order)


def test_rollback_without_a_previous_version_says_so() -> None:
    done = update("--rollback", "--prefix", "/nonexistent/backstep")
    assert done.returncode == 1 and "no previous version" in done.stderr


def current(prefix: Path) -> str:
    return os.readlink(prefix / "venv")


@pytest.mark.slow
@pytest.mark.long
def test_update_and_rollback_on_a_scratch_prefix(tmp_path: Path) -> None:
    prefix = tmp_path / "opt"
    config = tmp_path / "backstep.toml"
    config.write_text((ROOT / "config" / "backstep.toml").read_text())
    first = update("--prefix", str(prefix), config=config)
    assert first.returncode == 0, first.stdout + first.stderr
    a = current(prefix)
    assert a.startswith("releases/") and (prefix / a / "bin" / "backstep").exists()
    assert "OK: " in first.stdout and "ready for a session" in first.stdout  # config, doctor
    version = subprocess.run(
        [str(prefix / "venv" / "bin" / "backstep"), "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == "backstep, version 0.1.0"

    second = update("--prefix", str(prefix), config=config)
    assert second.returncode == 0, second.stdout + second.stderr
    b = current(prefix)
    assert b != a and os.readlink(prefix / "previous") == a
    listed = update("--list", "--prefix", str(prefix)).stdout
    assert (
        f"{Path(a).name} (previous: --rollback)" in listed and f"{Path(b).name} (in use)" in listed
    )

    back = update("--rollback", "--prefix", str(prefix))
    assert back.returncode == 0, back.stderr
    assert current(prefix) == a and not (prefix / "previous").exists()  # nothing older

    # A new version that fails its checks is never switched to.
    config.write_text("[posture]\nforward_warn_deg = 'ten'\n")
    broken = update("--prefix", str(prefix), config=config)
    assert broken.returncode != 0
    assert "posture.forward_warn_deg" in broken.stderr + broken.stdout
    assert current(prefix) == a
