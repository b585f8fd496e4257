"""Members: CSV import (all-or-nothing, every bad line reported), the CLI, and forget."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.members import members
from kiosk.members.errors import ImportFileError
from kiosk.members.roster import fresh_baseline, import_members_csv, parse_members_csv
from kiosk.store.database import Store
from kiosk.store.records import EventRecord, Member, Sample

# these tests point storage.data_dir at tmp folders themselves
pytestmark = pytest.mark.config_data_dir

T0 = 1_760_000_000.0


@pytest.fixture
def config(tmp_path: Path) -> Path:
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    return cfg


def test_a_good_csv_imports_every_member_with_optional_level(tmp_path: Path) -> None:
    csv_file = tmp_path / "m.csv"
    csv_file.write_text(
        "\ufeffID,Name,Expires,Level\n1001,Ada Lovelace,2030-12-31,2\n1002,Bo,2030-01-01,\n\n"
    )
    with Store(tmp_path / "db.sqlite3") as store:
        assert import_members_csv(store, csv_file) == (2, 0)
        assert store.list_members() == [
            Member("1001", "Ada Lovelace", dt.date(2030, 12, 31), 2),
            Member("1002", "Bo", dt.date(2030, 1, 1), None),
        ]
        csv_file.write_text("id,name,expires\n1002,Bo Renewed,2031-01-01\n")
        assert import_members_csv(store, csv_file) == (0, 1)
        renewed = store.get_member("1002")
        assert renewed is not None and renewed.expires == dt.date(2031, 1, 1)


def test_a_malformed_csv_reports_every_bad_line_and_imports_nothing(tmp_path: Path) -> None:
    csv_file = tmp_path / "m.csv"
    csv_file.write_text(
        "id,name,expires,level\n"
        "1,Ada,2030-01-01,1\n"  # line 2 fine
        ",NoId,2030-01-01,\n"  # line 3
        "3,Cy,31/12/2030,\n"  # line 4
        "4,Di,2030-01-01,eleven\n"  # line 5
        "1,Ada Again,2030-01-01,\n"  # line 6 duplicate of line 2
        "5,,2030-01-01,\n"  # line 7
        "6,Ed,2030-01-01,1,extra\n"  # line 8
        "bad id!,Fi,2030-01-01,\n"  # line 9
    )
    with Store(tmp_path / "db.sqlite3") as store:
        with pytest.raises(ImportFileError) as info:
            import_members_csv(store, csv_file)
        assert store.list_members() == []
    assert [n for n, _ in info.value.problems] == [3, 4, 5, 6, 7, 8, 9]
    reasons = dict(info.value.problems)
    assert "id is empty" in reasons[3]
    assert "ISO date" in reasons[4]
    assert "whole number" in reasons[5]
    assert "already on line 2" in reasons[6]
    assert "name is empty" in reasons[7]
    assert "fields" in reasons[8]
    assert "may only hold" in reasons[9]
    assert "line 9:" in str(info.value) and "nothing imported" in str(info.value)


def test_a_csv_without_the_required_columns_is_rejected_at_line_1() -> None:
    with pytest.raises(ImportFileError, match="line 1: missing column") as info:
        parse_members_csv("member,when\n1,2030-01-01\n")
    assert info.value.problems[0][0] == 1


def test_cli_import_list_add_and_errors(tmp_path: Path, config: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.csv"
    good.write_text("id,name,expires\n1,Ada,2030-01-01\n2,Bo,2000-01-01\n")
    result = runner.invoke(members, ["import", str(good), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,expires\n3,Cy,never\n4,,2030-01-01\n")
    result = runner.invoke(members, ["import", str(bad), "--config", str(config)])
    assert result.exit_code == 1
    assert "line 2:" in result.output and "line 3:" in result.output
    result = runner.invoke(
        members,
        ["add", "5", "Ed", "--expires", "2031-05-05", "--level", "3", "--config", str(config)],
    )
    assert result.exit_code == 0 and "added 5" in result.output
    result = runner.invoke(
        members, ["add", "6", "Fi", "--expires", "soon", "--config", str(config)]
    )
    assert result.exit_code == 1 and "ISO date" in result.output
    result = runner.invoke(members, ["list", "--config", str(config)])
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == ["1", "2", "5"]
    assert "(expired)" in lines[1]
    result = runner.invoke(members, ["list", "--expired", "--config", str(config)])
    assert result.output.strip().split("\t")[0] == "2"


def test_forget_erases_the_member_and_all_their_data(tmp_path: Path, config: Path) -> None:
    db = tmp_path / "data" / "backstep.sqlite3"
    with Store(db) as store:
        store.upsert_members(
            [Member("1", "Ada", dt.date(2030, 1, 1)), Member("2", "Bo", dt.date(2030, 1, 1))]
        )
        for mid in ("1", "2"):
            sid = store.start_session(mid, "starter", T0)
            store.append_session_data(sid, [Sample(0.0)], [EventRecord(0.1, "cue")])
            store.finish_session(sid, "completed", T0 + 1, {"upright_share": 1})
            store.save_baseline(mid, {"x": 1}, T0)
            store.record_checkin(
                member_id=mid, claimed_id=mid, t=T0, station_id="s", method="qr", ok=True
            )
            store.record_checkin(
                member_id=None,
                claimed_id=mid,
                t=T0,
                station_id="s",
                method="qr",
                ok=False,
                reason="expired",
            )
    result = CliRunner().invoke(members, ["forget", "1", "--yes", "--config", str(config)])
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.get_member("1") is None and store.load_baseline("1") is None
        assert store.list_sessions("1") == [] and store.list_checkins("1") == []
        assert store.count_rows("sessions") == 1 and store.count_rows("samples") == 1
        assert store.count_rows("events") == 1 and store.count_rows("checkins") == 2
        assert store.load_baseline("2") is not None
    assert b"Ada" not in db.read_bytes()  # vacuumed: the name is gone from the file too
    result = CliRunner().invoke(members, ["forget", "1", "--yes", "--config", str(config)])
    assert result.exit_code == 1 and "no member" in result.output


def test_a_stale_baseline_is_not_used(tmp_path: Path) -> None:
    with Store(tmp_path / "db.sqlite3") as store:
        store.upsert_members([Member("1", "Ada", dt.date(2030, 1, 1))])
        store.save_baseline("1", {"trunk": 7.5}, T0)
        stored = store.load_baseline("1")
    assert fresh_baseline(stored, T0 + 86400, 30) == {"trunk": 7.5}
    assert fresh_baseline(stored, T0 + 31 * 86400, 30) is None
    assert fresh_baseline(None, T0, 30) is None


@pytest.mark.parametrize("command", ["members", "export"])
def test_config_help_names_the_real_lookup_order(command: str) -> None:
    from kiosk.cli import main

    args = [command, "list", "--help"] if command == "members" else [command, "--help"]
    text = " ".join(CliRunner().invoke(main, args, terminal_width=200).output.split())
    places = [
        "--config",
        "$BACKSTEP_CONFIG",
        "/etc/backstep/backstep.toml",
        "user config dir",
        "packaged default",
    ]
    positions = [text.find(p) for p in places]
    assert -1 not in positions, text
    assert positions == sorted(positions)


def test_without_config_members_follow_backstep_config(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTEP_CONFIG", str(config))
    runner = CliRunner()
    result = runner.invoke(members, ["add", "7", "Gus", "--expires", "2031-01-01"])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "data" / "backstep.sqlite3") as store:
        assert store.get_member("7") is not None


def test_without_config_or_env_members_use_the_system_file(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.config import loader as configfile

    monkeypatch.delenv("BACKSTEP_CONFIG", raising=False)
    monkeypatch.setattr(configfile, "SYSTEM_CONFIG_PATH", config)
    result = CliRunner().invoke(members, ["add", "8", "Hal", "--expires", "2031-01-01"])
    assert result.exit_code == 0, result.output
    with Store(tmp_path / "data" / "backstep.sqlite3") as store:
        assert store.get_member("8") is not None


def seed_member(db: Path, mid: str, name: str) -> None:
    with Store(db) as store:
        store.upsert_members([Member(mid, name, dt.date(2030, 1, 1))])
        sid = store.start_session(mid, "starter", T0)
        store.append_session_data(sid, [Sample(0.0), Sample(1.0)], [EventRecord(0.1, "cue")])
        store.finish_session(sid, "completed", T0 + 1, {"upright_share": 1})
        store.record_checkin(
            member_id=None, claimed_id=mid, t=T0, station_id="s", method="qr", ok=False
        )


def test_forget_waits_for_a_reader_elsewhere_and_says_what_was_erased(
    tmp_path: Path, config: Path
) -> None:
    import sqlite3
    import threading
    import time

    db = tmp_path / "data" / "backstep.sqlite3"
    seed_member(db, "40417", "Zelda Quist")
    # the kiosk (another connection) sits in a read transaction, pinning the WAL
    reader = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM members").fetchone()
    threading.Timer(1.5, lambda: reader.execute("COMMIT")).start()
    start = time.monotonic()
    result = CliRunner().invoke(members, ["forget", "40417", "--yes", "--config", str(config)])
    reader.close()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start >= 1.0  # it waited for the checkpoint
    out = result.output
    assert "erased member 40417: 1 member row, 1 sessions, 2 samples, 1 events" in out
    assert "1 typed or shown codes" in out
    assert "neither the name nor the ID appears" in out
    assert "Zelda" not in out  # what it prints keeps no name either
    for part in (db, db.with_name(db.name + "-wal")):
        if part.exists():
            assert b"Zelda Quist" not in part.read_bytes()
            assert b"40417" not in part.read_bytes()


def test_forget_says_plainly_when_the_bytes_are_not_gone_yet(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from kiosk.store import erasure

    monkeypatch.setattr(erasure, "CHECKPOINT_WAIT_S", 0.5)
    monkeypatch.setattr(erasure.erase_member, "__kwdefaults__", {"wait_s": 0.5})
    db = tmp_path / "data" / "backstep.sqlite3"
    seed_member(db, "40418", "Yann Ruiz")
    reader = sqlite3.connect(db, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM members").fetchone()
    try:
        result = CliRunner().invoke(members, ["forget", "40418", "--yes", "--config", str(config)])
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert result.exit_code == 1
    assert "NOT yet gone from the files" in result.output


def test_an_optional_birth_year_is_imported_checked_and_never_required(
    tmp_path: Path, config: Path
) -> None:
    this_year = dt.date.today().year
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("id,name,expires,birth year\n1,Ada,2030-01-01,1970\n2,Bo,2030-01-01,\n")
    with Store(tmp_path / "db.sqlite3") as store:
        import_members_csv(store, csv_file)
        assert [m.birth_year for m in store.list_members()] == [1970, None]
    with pytest.raises(ImportFileError) as bad:
        parse_members_csv(
            "id,name,expires,born\n1,Ada,2030-01-01,nineteen\n"
            f"2,Bo,2030-01-01,{this_year}\n3,Cy,2030-01-01,1890\n"
        )
    lines = dict(bad.value.problems)
    assert "not a year" in lines[2]
    assert "ages 10-110" in lines[3] and "ages 10-110" in lines[4]
    runner = CliRunner()
    at = ["--config", str(config)]
    result = runner.invoke(
        members,
        ["add", "8", "Hal", "--expires", "2031-01-01", "--birth-year", "1980", *at],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        members,
        ["add", "9", "Ivy", "--expires", "2031-01-01", "--birth-year", "3000", *at],
    )
    assert result.exit_code == 1 and "birth year 3000" in result.output
    with Store(tmp_path / "data" / "backstep.sqlite3") as store:
        member = store.get_member("8")
        assert member is not None and member.birth_year == 1980
