"""Fast Backstep releases for the release-model tests of systemd/install.sh and update.sh.

A real release is a venv that pip fills from the lock (minutes, and the network). The
scripts' own logic (links, states, database copies, rollback, pruning) is what these tests
are about, so `standin_python` stands in for the venv maker only: ``-m venv DIR`` makes a
real venv (without pip) whose ``bin/pip install ... SOURCE`` puts this test interpreter's
installed packages and SOURCE on the path (a .pth file) and writes a real ``bin/backstep``
console script. Everything the release then runs is the real Backstep code from SOURCE.
``STANDIN_PIP_FAIL=1`` makes the pip step fail like a failed build.
The slow test in test_update.py still builds with the real pip.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

#: The checkout (tests/support/../..): not support.paths, so this file also runs as a script.
ROOT = Path(__file__).resolve().parents[2]

PIP = """#!/bin/sh
# stand-in pip: "install --quiet --disable-pip-version-check -c LOCK SOURCE"
if [ -n "$STANDIN_PIP_FAIL" ]; then
    echo "ERROR: Could not build wheels for backstep (stand-in failure)" >&2
    exit 1
fi
for last in "$@"; do :; done
site=$("{dir}/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\\n%s\\n' "{shared}" "$last" > "$site/backstep-standin.pth"
printf '#!{dir}/bin/python\\nimport sys\\nfrom kiosk.cli import main\\nsys.exit(main())\\n' \\
    > "{dir}/bin/backstep"
chmod +x "{dir}/bin/backstep"
"""

PYTHON = """#!/bin/sh
# stand-in for "python3 -m venv --system-site-packages DIR" (anything else: the real one)
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    for dir in "$@"; do :; done
    "{python}" -m venv --without-pip "$dir" || exit 1
    "{python}" "{me}" pip "$dir" || exit 1
    exit 0
fi
exec "{python}" "$@"
"""


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def standin_python(bin_dir: Path) -> Path:
    """An executable to pass as ``update.sh --python``: fast venvs as described above."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    text = PYTHON.format(python=sys.executable, me=Path(__file__).resolve())
    return _executable(bin_dir / "python3-standin", text)


def write_pip(venv: Path) -> None:
    """The stand-in ``pip`` of ``venv`` (see the module docstring)."""
    shared = sysconfig.get_paths()["purelib"]
    _executable(venv / "bin" / "pip", PIP.format(dir=venv, shared=shared))


def source_copy(dest: Path, version: str, extra_migration: str | None = None) -> Path:
    """A checkout copy at ``version``; ``extra_migration`` adds a newer schema step (SQL)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "tests", "__pycache__", ".*cache")
    shutil.copytree(ROOT, dest, ignore=ignore)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('version = "0.1.0"', f'version = "{version}"', 1))
    if extra_migration:
        migrations = dest / "kiosk" / "store" / "migrations.py"
        text = migrations.read_text()
        marker = "LATEST_VERSION = MIGRATIONS[-1].version"
        step = (
            "MIGRATIONS = (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, 'a newer "
            f"version', ({extra_migration!r},)))\n"
        )
        migrations.write_text(text.replace(marker, step + marker, 1))
    return dest


def fake_release(prefix: Path, release_id: str, source: Path, state: str = "ok") -> Path:
    """A release under ``prefix`` built with the stand-in, as update.sh lays it out."""
    releases = prefix / "releases"
    venv = releases / release_id
    releases.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    write_pip(venv)
    subprocess.run([str(venv / "bin" / "pip"), "install", str(source)], check=True)
    meta = venv / "backstep-release"
    (meta / "systemd").mkdir(parents=True)
    for name in ("backstep.service", "backstep-dashboard.service", "backstep-cli.sh"):
        shutil.copy(source / "systemd" / name, meta / "systemd" / name)
    shutil.copy(source / "kiosk" / "deploy" / "dbswitch.py", meta / "dbswitch.py")
    (meta / "state").write_text(state + "\n")
    return venv


def use(prefix: Path, release_id: str) -> None:
    """Point ``prefix``/venv at the release, as a switch does."""
    link = prefix / "venv"
    link.unlink(missing_ok=True)
    link.symlink_to(f"releases/{release_id}")


if __name__ == "__main__":  # called by the stand-in python: "pip DIR"
    write_pip(Path(sys.argv[2]))
