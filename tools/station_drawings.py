"""Draw the station setup guide's plan and side views (SVG) from the numbers the check uses.

Run ``python tools/station_drawings.py`` after changing `vision.placement.lens`; a test fails
when the committed drawings differ from what this writes.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from vision.placement.lens import (
    BELT_LENGTH_M,
    DECK_HEIGHT_M,
    LENSES,
    MEMBER_HEIGHT_M,
    Placement,
    best_placement,
)

OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
#: Pixels per metre in the drawings.
SCALE = 120.0
DECK_LENGTH_M = 2.0  # a gym treadmill's deck, console to rear roller
DECK_WIDTH_M = 0.85
BELT_WIDTH_M = 0.55
SCREEN_DISTANCE_M = 1.5  # from the rear end of the deck to the screen
EYE_HEIGHT_M = DECK_HEIGHT_M + 0.93 * 1.75  # an average member's eyes, standing on the deck

INK = "#1b1b1b"
CAMERA = "#0b5cad"
SCREEN = "#a33b00"
BELT = "#5d5d5d"
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _text(
    x: float, y: float, words: str, size: int = 14, color: str = INK, anchor: str = "start"
) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" fill="{color}" '
        f'text-anchor="{anchor}" {FONT}>{words}</text>'
    )


def _attrs(extra: dict[str, str]) -> str:
    return "".join(f' {key.replace("_", "-")}="{value}"' for key, value in extra.items())


def _rect(x: float, y: float, w: float, h: float, **extra: str) -> str:
    return f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}"{_attrs(extra)}/>'


def _line(x1: float, y1: float, x2: float, y2: float, **extra: str) -> str:
    return f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}"{_attrs(extra)}/>'


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}">',
            f"<title>{title}</title>",
            f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]
    )


def plan_view(camera: Placement) -> str:
    """Top-down: treadmill, member facing the rear, camera to the side, screen beyond the rear."""
    margin = 60.0
    left = margin
    console_x = left + 0.6 * SCALE
    deck_x0, deck_x1 = console_x, console_x + DECK_LENGTH_M * SCALE
    screen_x = deck_x1 + SCREEN_DISTANCE_M * SCALE
    top = margin + 40
    deck_y0 = top
    deck_y1 = deck_y0 + DECK_WIDTH_M * SCALE
    mid_y = (deck_y0 + deck_y1) / 2
    cam_y = mid_y + camera.distance_m * SCALE
    width = screen_x + 2.6 * SCALE
    height = cam_y + 80
    belt_y0, belt_y1 = mid_y - BELT_WIDTH_M * SCALE / 2, mid_y + BELT_WIDTH_M * SCALE / 2
    belt_x0 = deck_x0 + (DECK_LENGTH_M - BELT_LENGTH_M) / 2 * SCALE
    belt_x1 = belt_x0 + BELT_LENGTH_M * SCALE
    member_x = (belt_x0 + belt_x1) / 2
    half = math.radians(
        (camera.lens.vertical_deg if camera.portrait else camera.lens.horizontal_deg) / 2
    )
    reach = camera.distance_m * SCALE / math.cos(half)
    fov = [
        (member_x, cam_y),
        (member_x - math.sin(half) * reach, cam_y - math.cos(half) * reach),
        (member_x + math.sin(half) * reach, cam_y - math.cos(half) * reach),
    ]
    body = [
        _text(margin, 40, "Plan view: the station from above (backward block)", 18),
        # console and deck
        _rect(
            console_x - 0.35 * SCALE,
            deck_y0 - 10,
            0.35 * SCALE,
            deck_y1 - deck_y0 + 20,
            fill="#d9d9d9",
            stroke=INK,
        ),
        _text(console_x - 0.175 * SCALE, deck_y0 - 18, "console", 13, anchor="middle"),
        _rect(deck_x0, deck_y0, deck_x1 - deck_x0, deck_y1 - deck_y0, fill="#efefef", stroke=INK),
        _rect(belt_x0, belt_y0, belt_x1 - belt_x0, belt_y1 - belt_y0, fill=BELT),
        _text(
            deck_x0 + 4, deck_y1 + 44, "the belt's top runs from the console to the rear end", 12
        ),
        _text(deck_x1 + 6, deck_y0 - 6, "rear end", 13),
        # side rails with the buttons near the hands
        _line(
            deck_x0, deck_y0 - 4, deck_x0 + 0.9 * SCALE, deck_y0 - 4, stroke=INK, stroke_width="5"
        ),
        _line(
            deck_x0, deck_y1 + 4, deck_x0 + 0.9 * SCALE, deck_y1 + 4, stroke=INK, stroke_width="5"
        ),
        f'<circle cx="{member_x - 0.05 * SCALE:.0f}" cy="{deck_y1 + 4:.0f}" r="7" fill="#2e7d32"/>',
        _text(
            member_x - 0.05 * SCALE + 10,
            deck_y1 + 24,
            "buttons on the rail, within a hand's reach",
            12,
        ),
        # the member, facing the rear end
        f'<ellipse cx="{member_x:.0f}" cy="{mid_y:.0f}" rx="{0.14 * SCALE:.0f}" '
        f'ry="{0.24 * SCALE:.0f}" fill="#ffd54f" stroke="{INK}"/>',
        _line(
            member_x,
            mid_y,
            member_x + 0.45 * SCALE,
            mid_y,
            stroke=INK,
            stroke_width="3",
            marker_end="url(#arrow)",
        ),
        _text(member_x, belt_y0 - 4, "the member faces the rear end", 12, anchor="middle"),
        # the screen beyond the rear end, in the member's line of sight
        _rect(screen_x, mid_y - 0.3 * SCALE, 14, 0.6 * SCALE, fill=SCREEN),
        _text(screen_x + 20, mid_y - 4, "screen", 14, SCREEN),
        _text(
            screen_x + 20, mid_y + 14, f"{SCREEN_DISTANCE_M:.1f} m past the rear end", 12, SCREEN
        ),
        _line(deck_x1, deck_y1 + 30, screen_x, deck_y1 + 30, stroke=SCREEN, stroke_dasharray="4 3"),
        # the camera to the side, its field of view across the belt
        f'<polygon points="{" ".join(f"{x:.0f},{y:.0f}" for x, y in fov)}" fill="{CAMERA}" '
        'fill-opacity="0.12" stroke="{CAMERA}" stroke-dasharray="6 4"/>'.replace(
            "{CAMERA}", CAMERA
        ),
        _rect(member_x - 14, cam_y - 10, 28, 20, fill=CAMERA),
        _text(
            member_x + 24,
            cam_y + 6,
            f"camera ({camera.lens.name}, "
            f"{'portrait' if camera.portrait else 'landscape'}), at hip height",
            13,
            CAMERA,
        ),
        _line(
            member_x - 40,
            mid_y,
            member_x - 40,
            cam_y,
            stroke=CAMERA,
            marker_start="url(#arrow)",
            marker_end="url(#arrow)",
        ),
        _text(member_x - 48, (mid_y + cam_y) / 2, f"{camera.distance_m:.2f} m", 14, CAMERA, "end"),
        _text(member_x - 48, (mid_y + cam_y) / 2 + 16, "to the belt's middle", 12, CAMERA, "end"),
        # cable run
        f'<path d="M {member_x:.0f} {cam_y + 10:.0f} V {cam_y + 40:.0f} H {screen_x + 7:.0f} '
        f'V {mid_y + 0.3 * SCALE:.0f}" fill="none" stroke="#777" stroke-dasharray="2 4"/>',
        _text(
            screen_x - 10, cam_y + 58, "cables along the floor edge, taped down", 12, "#555", "end"
        ),
    ]
    defs = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        f'fill="{INK}"/></marker></defs>'
    )
    return _svg(width, height, [defs, *body], "Backstep station, plan view")


def side_view(camera: Placement) -> str:
    """From the camera's side: member on the deck, what the camera frames, the screen's height."""
    margin = 60.0
    ground = margin + 40 + 2.9 * SCALE
    deck_x0 = margin + 0.7 * SCALE
    deck_x1 = deck_x0 + DECK_LENGTH_M * SCALE
    deck_top = ground - DECK_HEIGHT_M * SCALE
    member_x = (deck_x0 + deck_x1) / 2
    head = deck_top - MEMBER_HEIGHT_M * SCALE
    screen_x = deck_x1 + SCREEN_DISTANCE_M * SCALE
    eye_y = ground - EYE_HEIGHT_M * SCALE
    frame_w, frame_h = camera.covers_width_m * SCALE, camera.covers_height_m * SCALE
    cam_y = ground - camera.camera_height_m * SCALE
    width = screen_x + 3.4 * SCALE
    height = ground + 60
    body = [
        _text(margin, 40, "Side view: what the camera frames at the belt", 18),
        _line(0, ground, width, ground, stroke=INK, stroke_width="2"),
        _rect(deck_x0, deck_top, deck_x1 - deck_x0, ground - deck_top, fill="#d9d9d9", stroke=INK),
        _rect(
            deck_x0 - 0.3 * SCALE,
            ground - 1.45 * SCALE,
            0.3 * SCALE,
            1.45 * SCALE,
            fill="#bdbdbd",
            stroke=INK,
        ),
        _text(deck_x0 - 0.15 * SCALE, ground - 1.5 * SCALE, "console", 13, anchor="middle"),
        _line(
            deck_x0,
            ground - 1.0 * SCALE,
            deck_x0 + 0.9 * SCALE,
            ground - 1.0 * SCALE,
            stroke=INK,
            stroke_width="5",
        ),
        _text(deck_x0 + 0.05 * SCALE, ground - 1.0 * SCALE - 8, "rail", 12),
        # a stick figure of the tallest member planned for, facing the rear (right)
        f'<circle cx="{member_x:.0f}" cy="{head + 0.12 * SCALE:.0f}" r="{0.12 * SCALE:.0f}" '
        f'fill="#ffd54f" stroke="{INK}"/>',
        _line(
            member_x,
            head + 0.24 * SCALE,
            member_x,
            deck_top - 0.95 * SCALE,
            stroke=INK,
            stroke_width="6",
        ),
        _line(
            member_x,
            deck_top - 0.95 * SCALE,
            member_x - 0.18 * SCALE,
            deck_top,
            stroke=INK,
            stroke_width="5",
        ),
        _line(
            member_x,
            deck_top - 0.95 * SCALE,
            member_x + 0.15 * SCALE,
            deck_top,
            stroke=INK,
            stroke_width="5",
        ),
        _text(member_x + 0.2 * SCALE, head + 0.1 * SCALE, f"{MEMBER_HEIGHT_M:.1f} m member", 13),
        # the camera's picture at the belt plane
        _rect(
            member_x - frame_w / 2,
            cam_y - frame_h / 2,
            frame_w,
            frame_h,
            fill="none",
            stroke=CAMERA,
            stroke_width="2",
            stroke_dasharray="8 5",
        ),
        _text(
            member_x - frame_w / 2,
            cam_y - frame_h / 2 - 8,
            f"the camera's picture: {camera.covers_width_m:.2f} m x {camera.covers_height_m:.2f} m",
            13,
            CAMERA,
        ),
        f'<circle cx="{member_x:.0f}" cy="{cam_y:.0f}" r="8" fill="{CAMERA}"/>',
        _text(
            member_x + 14, cam_y + 5, f"lens at {camera.camera_height_m:.2f} m, level", 13, CAMERA
        ),
        # the screen at eye height beyond the rear end
        _rect(screen_x, eye_y - 0.25 * SCALE, 0.08 * SCALE, 0.5 * SCALE, fill=SCREEN),
        _line(
            screen_x + 0.04 * SCALE,
            eye_y + 0.25 * SCALE,
            screen_x + 0.04 * SCALE,
            ground,
            stroke=SCREEN,
            stroke_width="3",
        ),
        _text(
            screen_x + 16, eye_y, f"screen centre at eye height, {EYE_HEIGHT_M:.2f} m", 13, SCREEN
        ),
        _line(
            member_x + 0.1 * SCALE,
            head + 0.12 * SCALE,
            screen_x,
            eye_y,
            stroke=SCREEN,
            stroke_dasharray="3 4",
        ),
        _text(deck_x1 + 6, ground + 20, "rear end", 13),
    ]
    return _svg(width, height, body, "Backstep station, side view")


def drawings() -> dict[str, str]:
    """File name -> SVG text for the guide, for the standard Camera Module 3."""
    camera = best_placement(LENSES[0])
    return {"station-plan.svg": plan_view(camera), "station-side.svg": side_view(camera)}


def main() -> int:
    """Write the drawings into docs/img."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in drawings().items():
        (OUT / name).write_text(text, encoding="utf-8")
        print(OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
