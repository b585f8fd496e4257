"""`trainers add` through the staff wrapper reaches the database the dashboard unit reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from support.paths import ROOT

from dashboard.accounts import Accounts, accounts_path
from kiosk.config.loader import load_config

UNIT = ROOT / "systemd" / "backstep-dashboard.service"
WRAPPER = ROOT / "systemd" / "backstep-cli.sh"


def unit_env(text: str) -> dict[str, str]:
    """The environment systemd gives the unit's process (Environment=, StateDirectory=)."""
    env = dict(re.findall(r"^Environment=(\w+)=(.*)$", text, re.M))
    [state] = re.findall(r"^StateDirectory=(.*)$", text, re.M)
    env["STATE_DIRECTORY"] = f"/var/lib/{state}"
    return env


def test_the_units_comment_names_the_wrapper_not_a_bare_sudo_u() -> None:
    text = UNIT.read_text()
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "sudo backstep trainers add NAME" in comments
    assert not re.search(r"^#\s+sudo -u backstep \S+ trainers add", comments, re.M)
    assert "install.sh --dashboard" in comments


def test_the_wrapper_sets_the_dashboard_units_environment() -> None:
    wrapper = WRAPPER.read_text()
    for key, value in unit_env(UNIT.read_text()).items():
        if key in ("PYTHONUNBUFFERED", "MALLOC_ARENA_MAX"):
            continue
        assert f'export {key}="${{{key}:-{value}}}"' in wrapper, key


def test_a_trainer_added_through_the_wrapper_can_log_in_to_the_service(tmp_path: Path) -> None:
    """The wrapper and the unit, with their paths moved into tmp, on the real CLI."""
    state, cache, config = tmp_path / "state", tmp_path / "cache", tmp_path / "backstep.toml"
    state.mkdir()
    config.write_text('[station]\nid = "front-1"\n')  # an empty staff file is refused
    program = tmp_path / "backstep"
    program.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c "import sys; from kiosk.cli import main; '
        f'sys.exit(main())" "$@"\n'
    )
    program.chmod(0o755)

    def moved(text: str) -> str:
        return (
            text.replace("/opt/backstep/venv/bin/backstep", str(program))
            .replace("/etc/backstep/backstep.toml", str(config))
            .replace("/var/lib/backstep", str(state))
            .replace("/var/cache/backstep", str(cache))
            .replace("runuser -u backstep", f"runuser -u {os.environ.get('USER', 'root')}")
        )

    wrapper = tmp_path / "backstep-cli.sh"
    wrapper.write_text(moved(WRAPPER.read_text()))
    wrapper.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BACKSTEP_DATA_DIR", "STATE_DIRECTORY", "BACKSTEP_CONFIG")
    }
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [str(wrapper), "trainers", "add", "coach", "--password-stdin"],
        input="a long enough password\n", capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    # the dashboard service's view: only the unit's environment
    service_env = {k: moved(v) for k, v in unit_env(UNIT.read_text()).items()}
    saved = {
        k: os.environ.get(k) for k in ("BACKSTEP_CONFIG", "STATE_DIRECTORY", "BACKSTEP_DATA_DIR")
    }
    try:
        os.environ.pop("BACKSTEP_DATA_DIR", None)
        os.environ["BACKSTEP_CONFIG"] = service_env["BACKSTEP_CONFIG"]
        os.environ["STATE_DIRECTORY"] = service_env["STATE_DIRECTORY"]
        path = accounts_path(load_config(None).storage)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert path.parent == state
    accounts = Accounts(path)
    try:
        assert [t.name for t in accounts.list()] == ["coach"]
        assert accounts.verify("coach", "a long enough password") is not None
    finally:
        accounts.close()
