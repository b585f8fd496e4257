"""One release model for install.sh and update.sh: states, rollback, database copies, pruning.

On scratch prefixes, with releases made by the stand-in venv maker (`support.releases`):
the scripts and the Backstep code they call are real, only pip's download is skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.paths import ROOT
from support.releases import fake_release, source_copy, standin_python, use

from kiosk.store.database import Store
from kiosk.store.migrations import LATEST_VERSION
from kiosk.store.records import Member

UPDATE = ROOT / "systemd" / "update.sh"
RELEASE_SH = ROOT / "systemd" / "release.sh"

pytestmark = pytest.mark.config_data_dir


def update(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    full.pop("PYTHONPATH", None)  # the release's own code, not this checkout's
    full.pop("BACKSTEP_DATA_DIR", None)  # the config's storage.data_dir decides
    return subprocess.run(
        ["bash", str(UPDATE), *args], capture_output=True, text=True, timeout=600, env=full
    )


@pytest.fixture
def station(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    """(prefix, config, database) of a scratch station with its data in tmp."""
    data = tmp_path / "data"
    config = tmp_path / "backstep.toml"
    config.write_text(f'[storage]\ndata_dir = "{data}"\n')
    yield tmp_path / "opt", config, data / "backstep.sqlite3"


def state(prefix: Path, release_id: str) -> str:
    return (prefix / "releases" / release_id / "backstep-release" / "state").read_text().strip()


def test_help_prints_usage_not_shell_code() -> None:
    for script in ("update.sh", "install.sh"):
        done = subprocess.run(
            ["bash", str(ROOT / "systemd" / script), "--help"], capture_output=True, text=True
        )
        assert done.returncode == 0
        assert "Options:" in done.stdout and "--dry-run" in done.stdout
        for code in ("set -euo", "APP_USER=", "PREFIX=", "#!/"):
            assert code not in done.stdout, (script, code)


def test_a_second_rollback_goes_further_back_never_forward(
    station: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    prefix, config, _db = station
    for rid in ("20260101T000000Z-0.1.0", "20260201T000000Z-0.1.1", "20260301T000000Z-0.1.2"):
        fake_release(prefix, rid, ROOT)
    use(prefix, "20260301T000000Z-0.1.2")
    args = ("--rollback", "--prefix", str(prefix), "--config", str(config))
    first = update(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    assert os.readlink(prefix / "venv") == "releases/20260201T000000Z-0.1.1"
    second = update(*args)
    assert second.returncode == 0, second.stdout + second.stderr
    assert os.readlink(prefix / "venv") == "releases/20260101T000000Z-0.1.0"  # not 0.1.2
    third = update(*args)
    assert third.returncode == 1 and "no previous version" in third.stderr
    assert os.readlink(prefix / "venv") == "releases/20260101T000000Z-0.1.0"


def test_a_failed_release_is_listed_as_failed_and_never_rolled_back_to(
    station: tuple[Path, Path, Path],
) -> None:
    prefix, config, _db = station
    fake_release(prefix, "20260101T000000Z-0.1.0", ROOT)
    fake_release(prefix, "20260201T000000Z-0.1.1", ROOT, state="failed: doctor")
    fake_release(prefix, "20260301T000000Z-0.1.2", ROOT)
    use(prefix, "20260301T000000Z-0.1.2")
    listed = update("--list", "--prefix", str(prefix)).stdout
    assert "20260201T000000Z-0.1.1 [failed: doctor: not a version to use]" in listed
    assert "20260101T000000Z-0.1.0 (previous: --rollback)" in listed
    assert "20260301T000000Z-0.1.2 (in use)" in listed
    back = update("--rollback", "--prefix", str(prefix), "--config", str(config))
    assert back.returncode == 0, back.stderr
    assert os.readlink(prefix / "venv") == "releases/20260101T000000Z-0.1.0"


def test_a_failed_build_is_marked_and_changes_nothing(
    station: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    prefix, config, _db = station
    fake_release(prefix, "20260101T000000Z-0.1.0", ROOT)
    use(prefix, "20260101T000000Z-0.1.0")
    python = standin_python(tmp_path / "bin")
    done = update(
        "--prefix", str(prefix), "--config", str(config), "--python", str(python),
        env={"STANDIN_PIP_FAIL": "1"},
    )  # fmt: skip
    assert done.returncode == 1 and "build" in done.stderr
    [failed] = [
        p.name for p in (prefix / "releases").iterdir() if p.name != "20260101T000000Z-0.1.0"
    ]
    assert state(prefix, failed) == "failed: build"
    assert os.readlink(prefix / "venv") == "releases/20260101T000000Z-0.1.0"
    listed = update("--list", "--prefix", str(prefix)).stdout
    assert f"{failed} [failed: build: not a version to use]" in listed


def test_a_release_a_process_runs_from_is_never_pruned(
    station: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    prefix, _config, _db = station
    ids = [f"2026010{n}T000000Z-0.1.{n}" for n in range(1, 7)]
    for rid in ids:
        fake_release(prefix, rid, ROOT)
    use(prefix, ids[-1])
    releases = prefix / "releases"
    # the dashboard still serving from the oldest release (its python names the release)
    dashboard = subprocess.Popen(
        ["bash", "-c", f'exec -a "{releases / ids[0]}/bin/python" sleep 60']
    )
    try:
        time.sleep(0.2)
        script = (
            f'ME=test; PREFIX="{prefix}"; DRY_RUN=0; SYSTEMD=0; . "{RELEASE_SH}"; '
            "release_paths; prune"
        )
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    finally:
        dashboard.kill()
        dashboard.wait()
    kept = sorted(p.name for p in releases.iterdir())
    # the 3 newest, the rollback target among them, and the one still running
    assert kept == [ids[0], *ids[3:]], done.stdout
    assert f"keeping {ids[0]}: a process still runs from it" in done.stdout


def station_db(db: Path) -> None:
    with Store(db) as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])


def user_version(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_an_update_copies_the_database_and_a_rollback_gives_the_old_code_one_it_reads(
    station: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    prefix, config, db = station
    old = source_copy(tmp_path / "v1", "0.1.0")
    new = source_copy(tmp_path / "v2", "0.2.0", "CREATE TABLE future_things (x INTEGER)")
    python = standin_python(tmp_path / "bin")
    # no BACKSTEP_INSTALL_CONFIG needed: --config is documented (and a scratch prefix
    # without one uses the checkout's)
    first = update("--prefix", str(prefix), "--source", str(old), "--config", str(config),
                   "--python", str(python))  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    a = os.readlink(prefix / "venv").removeprefix("releases/")
    station_db(db)
    assert user_version(db) == LATEST_VERSION

    second = update("--prefix", str(prefix), "--source", str(new), "--config", str(config),
                    "--python", str(python))  # fmt: skip
    assert second.returncode == 0, second.stdout + second.stderr
    b = os.readlink(prefix / "venv").removeprefix("releases/")
    assert b != a and state(prefix, b) == "ok"
    [copy] = (db.parent / "backups").glob("*.sqlite3")
    assert copy.name == f"{a}-before-{b}.sqlite3"
    assert user_version(copy) == LATEST_VERSION
    # the new version's doctor opened the database: migrated to its newer schema
    assert user_version(db) == LATEST_VERSION + 1

    back = update("--rollback", "--prefix", str(prefix), "--config", str(config))
    assert back.returncode == 0, back.stdout + back.stderr
    assert os.readlink(prefix / "venv") == f"releases/{a}"
    assert user_version(db) == LATEST_VERSION  # the old code can save again
    assert "database restored" in back.stdout
    [aside] = db.parent.glob("backstep.sqlite3.rolled-back-*Z")
    assert user_version(aside) == LATEST_VERSION + 1  # kept, not lost
    doctor = subprocess.run(
        [str(prefix / "venv" / "bin" / "backstep"), "doctor", "--config", str(config)],
        capture_output=True, text=True, env={**os.environ, "BACKSTEP_DATA_DIR": ""},
    )  # fmt: skip
    assert "is newer" not in doctor.stdout


def test_restore_db_puts_a_copy_back_and_keeps_the_current_file(
    station: tuple[Path, Path, Path],
) -> None:
    prefix, config, db = station
    fake_release(prefix, "20260101T000000Z-0.1.0", ROOT)
    use(prefix, "20260101T000000Z-0.1.0")
    db.parent.mkdir(parents=True)
    station_db(db)
    copy = db.parent / "backups" / "copy.sqlite3"
    copy.parent.mkdir()
    conn = sqlite3.connect(copy)
    conn.execute("CREATE TABLE only_in_the_copy (x INTEGER)")
    conn.close()
    done = update("--restore-db", str(copy), "--prefix", str(prefix), "--config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"only_in_the_copy"}
    [aside] = db.parent.glob("backstep.sqlite3.rolled-back-*Z")
    assert "members" in {
        r[0] for r in sqlite3.connect(aside).execute("SELECT name FROM sqlite_master")
    }


@pytest.mark.slow
def test_an_update_on_a_scratch_prefix_needs_no_variable(tmp_path: Path) -> None:
    python = standin_python(tmp_path / "bin")
    full = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BACKSTEP_INSTALL_CONFIG")
    }
    full["BACKSTEP_DATA_DIR"] = str(tmp_path / "data")  # the app's own, not update.sh's
    done = subprocess.run(
        ["bash", str(UPDATE), "--prefix", str(tmp_path / "opt"), "--python", str(python)],
        capture_output=True, text=True, timeout=600, env=full,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"checking against {ROOT / 'config' / 'backstep.toml'}" in done.stdout
