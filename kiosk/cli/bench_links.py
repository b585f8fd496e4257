"""``backstep bench --links``: the pose loop's frame rate with and without the BLE links.

The pose loop is the bench's pipeline phase (`vision.offline.bench.bench_pipeline`: capture
thread, pose workers, member selection, smoothing, metrics) fed faster than the model runs,
so every cycle of CPU the links take shows as frames lost. Runs without links (A) and with
them (B) alternate A B, B A, A B, ... (each pair's order flips, so a machine that speeds up
or slows down during the bench tilts neither side), and the difference is taken within each
pair.

With links, a fresh virtual air (`hw.ble.virtual`, bumble) carries a virtual treadmill that
notifies Treadmill Data once a second and a virtual strap that notifies once a beat at 150
bpm (2.5 a second: a hard case), to a real `TreadmillLink` and `HeartRateLink` (their own
threads), connected before the timed run and closed after it; without links nothing of it
exists. bumble's whole stack (both devices' controllers and hosts, and the links' central)
then runs in this process, where on a station BlueZ runs in its own and the devices are
elsewhere: the cost measured here is an upper bound. ``--links station`` brings up the staff
file's own devices over BlueZ instead (`station_links`), for a station with the hardware.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING

from hw.ble.errors import BluetoothError

if TYPE_CHECKING:
    from hw.ble.link import HeartRateLink, TreadmillLink
    from kiosk.config.schema import BackstepConfig

#: The issue's bound: the pose loop with the links within 2 % of without.
TARGET_PCT = 2.0
TREADMILL_PERIOD_S = 1.0  # FTMS consoles notify Treadmill Data about once a second
STRAP_BPM = 150  # one notification a beat: 2.5 a second
CONNECT_WAIT_S = 30.0
#: The threads that carry the links' work here: the two links, and bumble's air (which
#: also runs the notification callbacks, so the parsing, that bleak runs on the link's own).
LINK_THREADS = ("backstep-treadmill", "backstep-heart-rate")
AIR_THREAD = "backstep-virtual-air"


@dataclass
class LinksRun:
    """One timed pose-loop run, with or without the links."""

    links: bool
    fps: float = 0.0
    wall_s: float = 0.0
    process_cpu_s: float = 0.0  # the whole process: pose loop, links, air
    link_cpu_s: float = 0.0  # the two link threads
    air_cpu_s: float = 0.0  # bumble's in-process radio and both devices
    treadmill_packets: int = 0
    strap_packets: int = 0


@dataclass
class LinksBench:
    """Every run, in the order run, and what they show."""

    video: str
    frames: int
    workers: int
    backend: str
    load_avg: tuple[float, float, float]
    kind: str = "virtual"  # or "station": the staff file's devices over BlueZ
    runs: list[LinksRun] = field(default_factory=list)

    def fps(self, links: bool) -> list[float]:
        """Frame rates of the runs with (or without) the links, in order."""
        return [r.fps for r in self.runs if r.links == links]

    def pair_diffs_pct(self) -> list[float]:
        """Per A/B pair: (with - without) / without, percent."""
        pairs = zip(self.fps(False), self.fps(True), strict=True)
        return [100.0 * (b - a) / a for a, b in pairs if a > 0]

    def cpu_pct(self, attr: str) -> float:
        """CPU of the link threads or the air, percent of one core, over the runs with links."""
        runs = [r for r in self.runs if r.links]
        wall = sum(r.wall_s for r in runs)
        return 100.0 * sum(getattr(r, attr) for r in runs) / wall if wall > 0 else 0.0

    def cpu_share_pct(self) -> float:
        """The link threads' and the air's CPU, percent of the whole process's in those runs."""
        runs = [r for r in self.runs if r.links]
        total = sum(r.process_cpu_s for r in runs)
        used = sum(r.link_cpu_s + r.air_cpu_s for r in runs)
        return 100.0 * used / total if total > 0 else 0.0

    def met(self) -> bool:
        """The issue's target, on the median pair."""
        diffs = self.pair_diffs_pct()
        return bool(diffs) and median(diffs) >= -TARGET_PCT

    def to_dict(self) -> dict[str, object]:
        """The report as one JSON-ready object."""
        diffs = self.pair_diffs_pct()
        return {
            "video": self.video,
            "frames": self.frames,
            "workers": self.workers,
            "backend": self.backend,
            "links": self.kind,
            "load_avg": [round(x, 2) for x in self.load_avg],
            "fps_without": [round(x, 2) for x in self.fps(False)],
            "fps_with": [round(x, 2) for x in self.fps(True)],
            "diff_pct": [round(x, 2) for x in diffs],
            "diff_pct_median": round(median(diffs), 2) if diffs else None,
            "link_cpu_pct": round(self.cpu_pct("link_cpu_s"), 3),
            "air_cpu_pct": round(self.cpu_pct("air_cpu_s"), 3),
            "cpu_share_pct": round(self.cpu_share_pct(), 3),
            "target_pct": TARGET_PCT,
            "met": self.met(),
            "runs": [asdict(r) for r in self.runs],
        }

    def format(self) -> str:
        """A Markdown table of the runs and a summary."""
        lines = [
            f"Pose loop with and without the Bluetooth links: {self.video}, {self.frames} "
            f"frames a run, {self.workers} worker(s), {self.backend}, load average "
            + " / ".join(f"{x:.2f}" for x in self.load_avg),
            "",
            "| run | links | frames/s | process CPU s | link threads CPU ms | virtual air CPU ms "
            "| packets |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for i, r in enumerate(self.runs, 1):
            packets = f"{r.treadmill_packets} + {r.strap_packets}" if r.links else ""
            lines.append(
                f"| {i} | {'with' if r.links else 'without'} | {r.fps:.1f} | "
                f"{r.process_cpu_s:.2f} | "
                f"{r.link_cpu_s * 1000:.2f} | {r.air_cpu_s * 1000:.1f} | {packets} |"
            )
        diffs = self.pair_diffs_pct()
        a, b = self.fps(False), self.fps(True)
        lines += [
            "",
            f"without: {_spread(a, '.1f')} frames/s; with: {_spread(b, '.1f')} frames/s",
            f"difference per pair: {_spread(diffs, '+.1f')} % "
            f"(target: within {TARGET_PCT:g} %, {'met' if self.met() else 'NOT met'} "
            "on the median pair)",
            f"CPU with the links: link threads {self.cpu_pct('link_cpu_s'):.2f} % of a core, "
            f"the virtual air {self.cpu_pct('air_cpu_s'):.2f} % (none with --links station): "
            f"{self.cpu_share_pct():.2f} % of the process's CPU in those runs",
        ]
        if self.kind == "virtual":
            lines.append(
                "An upper bound: bumble's whole stack (both devices and the central) runs in "
                "this process; on a station BlueZ runs in its own and the devices are elsewhere."
            )
        else:
            lines.append("BlueZ's own CPU (bluetoothd, its own process) is not counted here.")
        return "\n".join(lines)


def _spread(values: list[float], fmt: str) -> str:
    """``median [min-max]`` of ``values``."""
    if not values:
        return "-"
    return f"{median(values):{fmt}} [{min(values):{fmt}} to {max(values):{fmt}}]"


def thread_cpu_s(names: tuple[str, ...]) -> float:
    """CPU seconds used so far by this process's live threads with these names."""
    total = 0.0
    for thread in threading.enumerate():
        if thread.name in names and thread.ident is not None:
            try:
                total += time.clock_gettime(time.pthread_getcpuclockid(thread.ident))
            except (OSError, ProcessLookupError):  # the thread just ended
                continue
    return total


@dataclass
class _LiveLinks:
    """What a run with links reads back at its end."""

    status: Callable[[], tuple[int, int]]  # packets parsed: treadmill, strap


def _wait_connected(links: list[TreadmillLink | HeartRateLink], timeout_s: float) -> None:
    """Return once every link is up; `BluetoothError` with the links' last error if not."""
    deadline = time.monotonic() + timeout_s
    while not all(link.status().connected for link in links):
        if time.monotonic() > deadline:
            down = [link for link in links if not link.status().connected]
            why = "; ".join(f"{d.target}: {d.status().last_error or 'not seen'}" for d in down)
            raise BluetoothError(f"no link to {why} within {timeout_s:g} s")
        time.sleep(0.05)


@contextmanager
def virtual_links() -> Iterator[_LiveLinks]:
    """A virtual treadmill and strap on a fresh air, both links connected and notified."""
    from hw.ble.link import HeartRateLink, TreadmillLink
    from hw.ble.virtual import VirtualAir, heart_rate_measurement, treadmill_data

    air = VirtualAir()
    links: list[TreadmillLink | HeartRateLink] = []
    beats = []
    try:
        treadmill, strap = air.treadmill(), air.strap()
        treadmill.advertise()
        strap.advertise()
        tread_link = TreadmillLink(air.central("F2:00:00:00:00:01"), "Virtual Treadmill")
        heart_link = HeartRateLink(air.central("F2:00:00:00:00:02"), "Virtual Strap")
        links = [tread_link, heart_link]
        for link in links:
            link.start()
        _wait_connected(links, CONNECT_WAIT_S)
        beat_s = 60.0 / STRAP_BPM
        beats = [
            # 4.0 km/h, a metre more each second, 1.5 % incline
            treadmill.notify_every(
                TREADMILL_PERIOD_S, lambda n: treadmill_data(4.0, 1000 + n, 1.5, 600 + n)
            ),
            strap.notify_every(beat_s, lambda _n: heart_rate_measurement(STRAP_BPM, beat_s)),
        ]
        yield _LiveLinks(lambda: (tread_link.status().packets, heart_link.status().packets))
    finally:
        for beat in beats:
            beat.cancel()
        for link in links:
            link.close()
        air.close()


@contextmanager
def station_links(config: BackstepConfig) -> Iterator[_LiveLinks]:
    """The staff file's treadmill and strap over BlueZ (bleak), connected for one run.

    The devices notify at their own pace; a strap read through the treadmill
    (``heart_rate.device = "treadmill"``) needs no link of its own.
    """
    from hw.ble.link import HeartRateLink, TreadmillLink

    tread = TreadmillLink.from_config(config.treadmill) if config.treadmill.enabled else None
    hr = config.heart_rate
    heart = HeartRateLink.from_config(hr) if hr.enabled and not hr.from_treadmill else None
    links: list[TreadmillLink | HeartRateLink] = [x for x in (tread, heart) if x is not None]
    try:
        for link in links:
            link.start()
        # a link's one attempt (scan, connect) is bounded by twice its timeout
        timeouts = [config.treadmill.connect_timeout_s if tread else 0.0]
        timeouts.append(hr.connect_timeout_s if heart else 0.0)
        _wait_connected(links, 2 * max(timeouts) + 1.0)

        def packets() -> tuple[int, int]:
            return (
                tread.status().packets if tread else 0,
                heart.status().packets if heart else 0,
            )

        yield _LiveLinks(packets)
    finally:
        for link in links:
            link.close()


def station_links_configured(config: BackstepConfig) -> bool:
    """True when the staff file names a treadmill or a strap to link to."""
    hr = config.heart_rate
    return config.treadmill.enabled or (hr.enabled and not hr.from_treadmill)


def run_links_bench(
    video: Path,
    frames: int,
    repeats: int,
    config: BackstepConfig,
    model_path: Path,
    workers: int = 1,
    backend: str = "mediapipe",
    on_run: Callable[[int, int, bool], object] | None = None,
    kind: str = "virtual",
) -> LinksBench:
    """``repeats`` pairs of pose-loop runs without and with the links, order flipping.

    ``kind`` "virtual": a virtual treadmill and strap (`virtual_links`); "station": the
    staff file's devices over BlueZ (`station_links`). ``on_run(i, total, links)`` is
    called before each run (outside the timed loop). Raises `BluetoothError` when the
    links cannot be brought up.
    """
    import os

    from vision.offline.bench import FEED_FACTOR, bench_pipeline, give_back_freed_memory
    from vision.offline.bench_bare import bare_model
    from vision.offline.replay import load_frames

    load = os.getloadavg()
    clip = load_frames(video, frames)
    # the bare model once, as in `backstep bench`: the feed rate, and a warm-up
    bare_fps, _ = bare_model(backend, model_path, config, clip.images)
    feed_fps = max(float(config.camera.fps), FEED_FACTOR * bare_fps)
    report = LinksBench(video.name, frames, workers, backend, load, kind)
    order = [
        flag for r in range(repeats) for flag in ((False, True) if r % 2 == 0 else (True, False))
    ]

    def timed(run: LinksRun) -> LinksRun:
        cpu, started = time.process_time(), time.perf_counter()
        pipeline = bench_pipeline(
            model_path, config, clip.images, feed_fps, workers, clip.fps, backend
        )
        run.fps, run.wall_s = pipeline.fps, time.perf_counter() - started
        run.process_cpu_s = time.process_time() - cpu
        return run

    for i, links in enumerate(order):
        if on_run is not None:
            on_run(i, len(order), links)
        give_back_freed_memory()
        if not links:
            report.runs.append(timed(LinksRun(False)))
            continue
        with virtual_links() if kind == "virtual" else station_links(config) as live:
            before = thread_cpu_s(LINK_THREADS), thread_cpu_s((AIR_THREAD,)), live.status()
            run = timed(LinksRun(True))
            after = thread_cpu_s(LINK_THREADS), thread_cpu_s((AIR_THREAD,)), live.status()
        run.link_cpu_s, run.air_cpu_s = after[0] - before[0], after[1] - before[1]
        run.treadmill_packets = after[2][0] - before[2][0]
        run.strap_packets = after[2][1] - before[2][1]
        report.runs.append(run)
    return report
