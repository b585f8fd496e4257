"""``backstep bench --links virtual``: the pose loop with a virtual treadmill and strap linked."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.cli.bench_links import AIR_THREAD, LINK_THREADS, LinksBench, LinksRun


def test_without_bumble_the_option_says_so_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, single_person_clip: Path
) -> None:
    # None in sys.modules is how Python marks a module that cannot be imported: as if
    # bumble were not installed (a station's venv has no development dependencies)
    for name in [m for m in sys.modules if m == "bumble" or m.startswith("bumble.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "bumble", None)
    result = CliRunner().invoke(main, ["bench", str(single_person_clip), "--links", "virtual"])
    assert result.exit_code == 2
    assert "needs bumble" in result.stderr and "not installed" in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_difference_is_taken_within_each_pair_and_the_target_on_the_median() -> None:
    bench = LinksBench("clip.mp4", 150, 1, "mediapipe", (1.0, 1.0, 1.0))
    # without, with; with, without; without, with (the order flips each pair)
    for links, fps in [(0, 50), (1, 49), (1, 55), (0, 60), (0, 40), (1, 40)]:
        bench.runs.append(
            LinksRun(bool(links), fps, 2.0, process_cpu_s=3.0, link_cpu_s=0.005, air_cpu_s=0.01)
        )
    assert bench.pair_diffs_pct() == pytest.approx([-2.0, 100 * (55 - 60) / 60, 0.0])
    assert bench.met()  # median pair -2.0 %: within 2 %
    assert bench.cpu_pct("air_cpu_s") == pytest.approx(0.5)  # 30 ms over 6 s
    assert bench.cpu_share_pct() == pytest.approx(0.5)  # 45 ms of 9 s
    bench.runs[1].fps = 48.0
    bench.runs[5].fps = 39.0
    assert not bench.met()  # -4 %, -8.3 %, -2.5 %: median -4 %
    report = bench.to_dict()
    assert report["met"] is False and report["diff_pct_median"] == pytest.approx(-4.0)
    assert "NOT met" in bench.format() and "upper bound" in bench.format()


@pytest.mark.slow
def test_a_short_bench_with_the_links_alternates_and_the_links_carry_packets(
    single_person_clip: Path,
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "bench",
            str(single_person_clip),
            "--links",
            "virtual",
            "--frames",
            "80",
            "--repeats",
            "2",
            "--workers",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert [run["links"] for run in report["runs"]] == [False, True, True, False]
    assert len(report["fps_without"]) == len(report["fps_with"]) == len(report["diff_pct"]) == 2
    assert all(run["fps"] > 0 for run in report["runs"])
    for run in report["runs"]:
        if run["links"]:
            # both devices notified the real links while the pose loop ran (the strap 2.5
            # times a second, the treadmill once: 80 frames take over a second here)
            assert run["strap_packets"] >= 2 and run["treadmill_packets"] >= 1
            assert run["air_cpu_s"] > 0
        else:
            assert run["treadmill_packets"] == run["strap_packets"] == 0
    assert report["workers"] == 1 and report["frames"] == 80
    # everything the runs with links started is gone
    names = {t.name for t in threading.enumerate()}
    assert names.isdisjoint({AIR_THREAD, *LINK_THREADS})


def test_station_links_with_no_device_in_the_staff_file_says_so_and_exits_2(
    tmp_path: Path, single_person_clip: Path
) -> None:
    config = tmp_path / "backstep.toml"
    config.write_text('[heart_rate]\nenabled = true\ndevice = "treadmill"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["bench", str(single_person_clip), "--links", "station", "--config", str(config)]
    )
    assert result.exit_code == 2
    assert "names none" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_station_links_that_cannot_connect_end_the_bench_with_the_reason(
    tmp_path: Path, single_person_clip: Path
) -> None:
    # No Bluetooth adapter on the test machine: the treadmill's link never comes up, and the
    # bench says why (the link's own last error) instead of timing a run without it.
    config = tmp_path / "backstep.toml"
    config.write_text(
        '[treadmill]\nenabled = true\ndevice = "AA:BB:CC:DD:EE:FF"\nconnect_timeout_s = 2\n',
        encoding="utf-8",
    )
    args = ["bench", str(single_person_clip), "--links", "station", "--frames", "10"]
    result = CliRunner().invoke(main, [*args, "--repeats", "1", "--config", str(config)])
    assert result.exit_code == 1
    assert "no link to AA:BB:CC:DD:EE:FF" in result.stderr
    assert "Traceback" not in result.output
    assert not any(t.name in LINK_THREADS for t in threading.enumerate())
