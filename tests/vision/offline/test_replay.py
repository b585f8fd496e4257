"""Pre-decoded clips replayed like a camera: letterboxed, back and forth, at the filmed pace."""

from __future__ import annotations

import pytest

from vision.offline.replay import ReplaySource, bounce, letterbox


def test_letterbox_keeps_the_aspect_ratio_on_black_bars() -> None:
    import numpy as np

    portrait = np.full((640, 360, 3), 200, dtype=np.uint8)
    boxed = letterbox(portrait, (640, 480))
    assert boxed.shape == (480, 640, 3)
    assert boxed[:, :180].max() == 0 and boxed[:, -180:].max() == 0  # 270 px wide, centred
    assert boxed[:, 190:450].min() == 200


def test_replay_source_plays_frames_back_and_forth_with_rising_times() -> None:
    import numpy as np

    images = [np.full((4, 4, 3), i, np.uint8) for i in range(3)]
    source = ReplaySource(images, fps=1000.0)
    source.open()
    frames = [source.read() for _ in range(7)]
    assert [f.index for f in frames if f is not None] == list(range(7))
    # Back and forth: the last frame is never followed by the first (no teleport).
    assert [int(f.image[0, 0, 0]) for f in frames if f is not None] == [0, 1, 2, 1, 0, 1, 2]
    times = [f.t for f in frames if f is not None]
    assert times == sorted(times)


def test_replay_source_keeps_the_clip_at_its_filmed_pace_when_fed_faster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    from vision.offline import replay

    clock = [100.0]
    monkeypatch.setattr(replay.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(replay.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    images = [np.full((4, 4, 3), i, np.uint8) for i in range(3)]
    source = ReplaySource(images, fps=200.0, clip_fps=20.0)
    source.open()
    frames = [f for f in (source.read() for _ in range(40)) if f is not None]
    # 40 frames at 200/s span 0.2 s: four pictures of a clip filmed at 20/s (back and forth),
    # each handed out ten times in a row.
    assert [int(f.image[0, 0, 0]) for f in frames] == [0] * 10 + [1] * 10 + [2] * 10 + [1] * 10
    assert [f.index for f in frames] == list(range(40))


@pytest.mark.parametrize(
    ("n", "expected"), [(1, [0, 0, 0]), (2, [0, 1, 0, 1]), (4, [0, 1, 2, 3, 2, 1, 0, 1])]
)
def test_bounce_walks_a_clip_back_and_forth(n: int, expected: list[int]) -> None:
    assert [bounce(i, n) for i in range(len(expected))] == expected
