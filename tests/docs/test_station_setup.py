"""The setup guide's drawings and distance table say what the placement code computes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from vision.placement.lens import LENSES, place

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "station-setup.md"


def _drawings_module():
    spec = importlib.util.spec_from_file_location(
        "station_drawings", ROOT / "tools" / "station_drawings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["station_drawings"] = module
    spec.loader.exec_module(module)
    return module


def test_the_committed_drawings_are_what_the_script_draws() -> None:
    for name, text in _drawings_module().drawings().items():
        assert (ROOT / "docs" / "img" / name).read_text(encoding="utf-8") == text, (
            f"docs/img/{name} is stale: run python tools/station_drawings.py"
        )


def test_the_distance_table_matches_the_lens_maths() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for lens in LENSES:
        for portrait in (False, True):
            p = place(lens, portrait=portrait)
            row = (
                f"| {lens.name} | {'portrait' if portrait else 'landscape'} | "
                f"{p.camera_height_m:.2f} m | {p.distance_m:.2f} m | "
                f"{p.covers_width_m:.2f} x {p.covers_height_m:.2f} m |"
            )
            assert row in guide, row


def test_the_drawings_show_the_guides_numbers() -> None:
    drawings = _drawings_module().drawings()
    standard = min(
        (place(LENSES[0], portrait=p) for p in (False, True)), key=lambda p: p.distance_m
    )
    assert f"{standard.distance_m:.2f} m" in drawings["station-plan.svg"]
    assert f"{standard.camera_height_m:.2f} m" in drawings["station-side.svg"]
