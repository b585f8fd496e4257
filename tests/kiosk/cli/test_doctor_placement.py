"""``backstep doctor --placement CLIP``: its lines, exit code, and the zone it saves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from support.clip_variants import read_clip
from support.paths import FIXTURES
from support.placement_variants import darkened

from kiosk.cli import main

pytestmark = pytest.mark.slow


def _write_clip(path: Path, images: list[np.ndarray], fps: float = 30.0) -> Path:
    """Real footage re-encoded to a temporary file (a test clip, not a camera frame)."""
    import cv2

    h, w = images[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    for image in images:
        out.write(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    out.release()
    return path


STAFF_FILE = """# The station's staff file
[station]
id = "front-1"  # the left treadmill

[zone]
# set on the staff screen
x0 = 0.1
y0 = 0.0
x1 = 0.9
y1 = 1.0
"""


def test_a_good_clip_passes_and_prints_each_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["doctor", "--placement", str(FIXTURES / "retro_walk_gym.mp4")]
    )
    assert result.exit_code == 0, result.output
    for name in ("whole body", "view", "level", "light", "sharpness", "pose rate", "zone"):
        assert name in result.output
    assert "FAIL" not in result.output


def test_a_dark_clip_exits_1_with_its_fix(tmp_path: Path) -> None:
    dark = _write_clip(
        tmp_path / "dark.mp4", [darkened(i) for i in read_clip(FIXTURES / "retro_walk_gym.mp4")]
    )
    result = CliRunner().invoke(main, ["doctor", "--placement", str(dark)])
    assert result.exit_code == 1, result.output
    assert "FAIL  light" in result.output
    assert "fix: Light the treadmill" in result.output


@pytest.mark.long
def test_twenty_seconds_of_walking_saves_the_zone_keeping_the_comments(tmp_path: Path) -> None:
    images = read_clip(FIXTURES / "retro_walk_gym.mp4")
    # back and forth, as the kiosk's replay plays a short clip, to 20+ s of walking
    bounced = (images + images[::-1]) * 3 + images[:40]
    clip = _write_clip(tmp_path / "walk.mp4", bounced)
    staff = tmp_path / "backstep.toml"
    staff.write_text(STAFF_FILE)
    result = CliRunner().invoke(
        main, ["doctor", "--config", str(staff), "--placement", str(clip), "--save-zone"]
    )
    assert "zone saved" in result.output, result.output
    text = staff.read_text()
    assert "# the left treadmill" in text and "# set on the staff screen" in text
    assert "x0 = 0.1\n" not in text  # moved to where she walked
    import tomllib

    zone = tomllib.loads(text)["zone"]
    assert 0.15 < zone["x0"] < 0.3 and 0.65 < zone["x1"] < 0.85 and zone["y1"] == 1.0
    # the console's side, read from her backward walk, is saved with it
    assert tomllib.loads(text)["safety"]["console_side"] == "right"
    assert "safety.console_side = 'right' saved" in result.output


def test_a_short_clip_does_not_save_the_zone(tmp_path: Path) -> None:
    staff = tmp_path / "backstep.toml"
    staff.write_text(STAFF_FILE)
    result = CliRunner().invoke(
        main,
        [
            "doctor",
            "--config",
            str(staff),
            "--placement",
            str(FIXTURES / "retro_walk_gym.mp4"),
            "--save-zone",
        ],
    )
    assert "zone not saved: Walk for 20 s" in result.output
    assert staff.read_text() == STAFF_FILE
