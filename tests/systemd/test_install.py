"""Pi deployment: install.sh --dry-run lists every action and changes nothing; the unit verifies."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.paths import ROOT

INSTALL = ROOT / "systemd" / "install.sh"
UNIT = ROOT / "systemd" / "backstep.service"

# Everything a real install would create or change on this machine.
TOUCHED = [
    Path("/etc/backstep"),
    Path("/opt/backstep"),
    Path("/var/lib/backstep"),
    Path("/var/cache/backstep"),
    Path("/etc/systemd/system/backstep.service"),
    Path("/usr/local/bin/backstep"),
]


def snapshot() -> dict[str, object]:
    state: dict[str, object] = {str(p): p.exists() for p in TOUCHED}
    state["user"] = subprocess.run(["id", "-u", "backstep"], capture_output=True).returncode
    state["groups"] = Path("/etc/group").read_text()
    return state


def dry_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(INSTALL), "--dry-run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        # This machine's detection would say "desktop" (its default target is graphical):
        # the desktop tests below set it on purpose; the others model a Lite image.
        # and the Raspberry Pi archive is there (this machine is plain Debian: see below)
        env={
            **os.environ,
            "BACKSTEP_INSTALL_DESKTOP": "no",
            "BACKSTEP_INSTALL_RPI_ARCHIVE": "yes",
            **(env or {}),
        },
        check=False,
    )


def actions(output: str) -> list[str]:
    return [line[2:] for line in output.splitlines() if line.startswith("+ ")]


def test_dry_run_lists_every_action_and_changes_nothing() -> None:
    before = snapshot()
    done = dry_run()
    assert done.returncode == 0, done.stderr
    assert snapshot() == before
    steps = actions(done.stdout)
    joined = "\n".join(steps)
    assert "apt-get update" in steps
    assert "python3-lgpio" in joined and "python3-venv" in joined
    assert "rpicam-apps-lite" in joined and "python3-picamera2" not in joined
    # Every install is a new release (the release model of update.sh), linked as venv.
    [venv] = [s for s in steps if s.startswith("python3 -m venv --system-site-packages")]
    release = venv.split()[-1]
    assert release.startswith("/opt/backstep/releases/") and release.endswith("-install")
    rel = release.removeprefix("/opt/backstep/")
    assert f"ln -sfn {rel} /opt/backstep/venv.new" in steps
    assert "mv -Tf /opt/backstep/venv.new /opt/backstep/venv" in steps
    if before["user"] != 0:
        assert any(s.startswith("useradd --system") and s.endswith(" backstep") for s in steps)
    assert r"usermod --append --groups video\,render\,input\,gpio\,audio backstep" in steps
    # The tested versions: pip installs with the lock as constraints, into the new release.
    lock = ROOT / "requirements" / "runtime.lock"
    assert (
        f"{release}/bin/pip install --quiet --disable-pip-version-check -c {lock} {ROOT}" in steps
    )
    assert any("backstep model fetch" in s and s.startswith("runuser -u backstep") for s in steps)
    files = f"{release}/backstep-release/systemd"
    unit = "/etc/systemd/system/backstep.service"
    assert f"install -o root -g root -m 0644 {files}/backstep.service {unit}" in steps
    assert (
        f"install -o root -g root -m 0755 {files}/backstep-cli.sh /usr/local/bin/backstep" in steps
    )
    tail = steps[steps.index("systemctl daemon-reload") :]
    assert tail[:3] == [
        "systemctl daemon-reload",
        "systemctl enable backstep.service",
        "systemctl restart backstep.service",
    ]
    # then the post-switch check, and only then is the release marked as working
    assert "-m kiosk.deploy.health wait /var/lib/backstep/kiosk-health.json" in tail[3]
    assert tail[4] == f"mark {release.rsplit('/', 1)[1]} ok"
    # The order matters: the venv before the config check, the model before the service.
    order = [joined.index(s) for s in ("apt-get install", "-m venv", "model fetch", "enable")]
    assert order == sorted(order)


def test_a_re_run_never_installs_into_the_release_in_use() -> None:
    steps = actions(dry_run().stdout)
    # /opt/backstep/venv is the link to the release in use: nothing is pip-installed there
    assert not any(s.startswith("/opt/backstep/venv/") for s in steps)
    [pip] = [s for s in steps if "/bin/pip install" in s]
    assert pip.startswith("/opt/backstep/releases/")


def test_dashboard_is_installed_enabled_and_started() -> None:
    done = dry_run("--dashboard")
    assert done.returncode == 0, done.stderr
    steps = actions(done.stdout)
    unit = "/etc/systemd/system/backstep-dashboard.service"
    assert any(s.startswith("install -o root -g root -m 0644 ") and s.endswith(unit) for s in steps)
    assert "systemctl enable backstep-dashboard.service" in steps
    assert "systemctl restart backstep-dashboard.service" in steps
    assert "sudo backstep trainers add NAME" in done.stdout
    without = actions(dry_run().stdout)
    assert not any(
        "backstep-dashboard" in s and s.startswith(("systemctl", "install")) for s in without
    )


def test_plain_debian_is_told_about_the_raspberry_pi_archive_before_any_change() -> None:
    done = dry_run(env={"BACKSTEP_INSTALL_RPI_ARCHIVE": "no"})
    assert done.returncode == 1
    assert "exist only in the Raspberry Pi archive" in done.stderr
    assert "python3-lgpio" in done.stderr and "rpicam-apps-lite" in done.stderr
    assert actions(done.stdout) == []


@pytest.mark.skipif(shutil.which("apt-cache") is None, reason="not a Debian system")
def test_this_machine_without_the_archive_is_detected_by_apt() -> None:
    policy = subprocess.run(
        ["apt-cache", "policy", "python3-lgpio"], capture_output=True, text=True
    ).stdout
    if "Candidate: " in policy and "Candidate: (none)" not in policy:
        pytest.skip("this machine has the Raspberry Pi archive")
    env = {k: v for k, v in os.environ.items() if k != "BACKSTEP_INSTALL_RPI_ARCHIVE"}
    done = subprocess.run(
        ["bash", str(INSTALL), "--dry-run"],
        capture_output=True, text=True, env={**env, "BACKSTEP_INSTALL_DESKTOP": "no"},
    )  # fmt: skip
    assert done.returncode == 1 and "Raspberry Pi archive" in done.stderr


def test_the_config_is_installed_only_when_absent(tmp_path: Path) -> None:
    target = tmp_path / "backstep.toml"
    fresh = dry_run(env={"BACKSTEP_INSTALL_CONFIG": str(target)})
    assert fresh.returncode == 0, fresh.stderr
    default = ROOT / "config" / "backstep.toml"
    assert f"install -o root -g backstep -m 0660 {default} {target}" in actions(fresh.stdout)
    assert not target.exists()

    target.write_text("[station]\nname = 'edited by staff'\n")
    kept = dry_run(env={"BACKSTEP_INSTALL_CONFIG": str(target)})
    assert kept.returncode == 0, kept.stderr
    assert not any(str(target) in s and s.startswith("install") for s in actions(kept.stdout))
    assert f"keeping the existing {target}" in kept.stdout
    assert target.read_text() == "[station]\nname = 'edited by staff'\n"


def test_no_start_enables_without_starting() -> None:
    done = dry_run("--no-start")
    steps = actions(done.stdout)
    assert "systemctl enable backstep.service" in steps
    assert not any("restart" in s or s.startswith("systemctl start") for s in steps)


def test_an_unknown_option_is_refused() -> None:
    done = dry_run("--frobnicate")
    assert done.returncode == 2 and "unknown option" in done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_the_shell_scripts_are_shellcheck_clean() -> None:
    scripts = [
        str(INSTALL),
        str(ROOT / "systemd" / "backstep-cli.sh"),
        str(ROOT / "systemd" / "update.sh"),
        str(ROOT / "systemd" / "release.sh"),
    ]
    scripts.append(str(ROOT / "requirements" / "lock.sh"))
    done = subprocess.run(["shellcheck", *scripts], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    # verify also requires every Exec*= program to exist. The venv is only created by
    # install.sh, so the copy points at a stand-in executable; every other line is unchanged.
    program = tmp_path / "backstep"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "backstep.service"
    unit.write_text(UNIT.read_text().replace("/opt/backstep/venv/bin/backstep", str(program)))
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # verify only warns on bad values


def test_the_unit_has_the_settings_the_kiosk_relies_on() -> None:
    text = UNIT.read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=30",
        "Restart=always",
        "RestartPreventExitStatus=4",
        "StartLimitBurst=5",
        "User=backstep",
        "SupplementaryGroups=video render input gpio audio",
        "WorkingDirectory=/var/lib/backstep",
        "StateDirectory=backstep",
        "ExecStartPre=-/opt/backstep/venv/bin/backstep config check",
        "After=time-sync.target",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Environment=SDL_VIDEODRIVER=kmsdrm",
        "ProtectSystem=strict",
        "ReadWritePaths=/etc/backstep",
        "NoNewPrivileges=yes",
    ):
        assert f"\n{line}\n" in text, line
    assert "PrivateDevices=" not in text.replace("no PrivateDevices=", "")


def test_a_32_bit_system_is_refused_with_the_reason() -> None:
    done = dry_run(env={"BACKSTEP_INSTALL_ARCH": "armhf"})
    assert done.returncode == 1
    assert "armhf (32-bit)" in done.stderr and "64-bit Raspberry Pi OS" in done.stderr
    assert actions(done.stdout) == []  # refused before any action


def test_the_desktop_image_is_explained_and_needs_a_choice() -> None:
    done = dry_run(env={"BACKSTEP_INSTALL_DESKTOP": "yes"})
    assert done.returncode == 1
    assert "compositor holds the screen" in done.stderr and "--console" in done.stderr
    console = dry_run("--console", env={"BACKSTEP_INSTALL_DESKTOP": "yes"})
    assert console.returncode == 0, console.stderr
    assert "systemctl set-default multi-user.target" in actions(console.stdout)
    keep = dry_run("--keep-desktop", env={"BACKSTEP_INSTALL_DESKTOP": "yes"})
    assert keep.returncode == 0 and "cannot show its screen" in keep.stderr
    assert "systemctl set-default multi-user.target" not in actions(keep.stdout)
    # A Lite image is never switched.
    assert "set-default" not in dry_run().stdout


def test_a_default_graphical_target_alone_is_not_a_desktop() -> None:
    # Debian's stock default target is graphical.target even with no desktop installed (as
    # on this machine): only a running display manager or compositor counts.
    env = {k: v for k, v in os.environ.items() if k != "BACKSTEP_INSTALL_DESKTOP"}
    done = subprocess.run(
        ["bash", str(INSTALL), "--dry-run"],
        capture_output=True, text=True,
        env={**env, "BACKSTEP_INSTALL_RPI_ARCHIVE": "yes",
             "PATH": _path_with_systemctl("graphical.target")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "compositor holds the screen" not in done.stderr


def test_a_running_compositor_is_a_desktop(tmp_path: Path) -> None:
    labwc = tmp_path / "labwc"  # the Raspberry Pi OS desktop's compositor, by process name
    shutil.copy(shutil.which("sleep") or "/bin/sleep", labwc)
    compositor = subprocess.Popen([str(labwc), "30"])
    try:
        env = {k: v for k, v in os.environ.items() if k != "BACKSTEP_INSTALL_DESKTOP"}
        done = subprocess.run(
            ["bash", str(INSTALL), "--dry-run"],
            capture_output=True, text=True,
            env={**env, "BACKSTEP_INSTALL_RPI_ARCHIVE": "yes",
             "PATH": _path_with_systemctl("multi-user.target")},
        )  # fmt: skip
    finally:
        compositor.kill()
        compositor.wait()
    assert done.returncode == 1
    assert "compositor holds the screen" in done.stderr


def _path_with_systemctl(default_target: str) -> str:
    """PATH with a `systemctl` that answers get-default like a stock Debian (no bus here)."""
    import tempfile

    bin_dir = Path(tempfile.mkdtemp(prefix="systemctl-"))
    fake = bin_dir / "systemctl"
    fake.write_text(
        "#!/bin/sh\n"
        f'[ "$1" = get-default ] && {{ echo {default_target}; exit 0; }}\n'
        "exit 3\n"  # is-active: inactive (no display manager)
    )
    fake.chmod(0o755)
    return f"{bin_dir}:{os.environ['PATH']}"
