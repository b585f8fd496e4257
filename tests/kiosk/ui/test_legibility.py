"""Every screen, measured as drawn: type size, contrast, clipping and overlap, at four sizes."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame
import pytest
from support.screen_views import CUES, SIZE_PARAMS, SIZES, make_view, session_view, variants

from kiosk.flow.machine import Screen
from kiosk.ui import theme as th
from kiosk.ui.mirror import MirrorView
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import DrawnText, Theme

pytestmark = pytest.mark.usefixtures("pygame_display")


def render(size: tuple[int, int], view) -> tuple[Theme, pygame.Surface, list[DrawnText]]:
    """Draw ``view`` with measuring on; the theme, the surface and every text drawn."""
    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    build_screens(theme)[view.screen].draw(surf, view)
    return theme, surf, list(theme.drawn)


def inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return pygame.Rect(outer).contains(pygame.Rect(inner))


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    r = pygame.Rect(a).clip(pygame.Rect(b))
    return r.w * r.h


NAMES = list(variants(None))


def rendered_cap(d: DrawnText) -> int:
    """The cap height of the font ``d`` was drawn in: the ink rows of a rendered "H"."""
    import numpy as np

    img = pygame.font.Font(th.font_path(), d.size).render("H", True, th.TEXT, th.BLACK)
    rows = np.where(pygame.surfarray.array3d(img)[:, :, 0].max(axis=0) >= 128)[0]
    return int(rows.max() - rows.min() + 1)


def ink_height(surf: pygame.Surface, d: DrawnText) -> int:
    """Rows of ``d``'s box on the finished screen that differ from the colour under it."""
    import numpy as np

    area = pygame.Rect(d.rect).clip(surf.get_rect())
    px = pygame.surfarray.array3d(surf.subsurface(area)).astype(int)
    diff = np.abs(px - np.array(d.background)).sum(axis=2) > 96
    rows = np.where(diff.any(axis=0))[0]
    return int(rows.max() - rows.min() + 1) if rows.size else 0


#: Screens whose one number that matters is measured (the rest have no number).
NUMBER_SCREENS = ("session", "pause", "summary", "baseline")


@pytest.mark.parametrize("size", SIZE_PARAMS)
@pytest.mark.parametrize("name", NAMES)
def test_the_cue_and_the_number_that_matters_meet_their_floors(name, size, demo_frame):
    """Cue >= 8% of H in cap height; the screen's main number >= 12%, on the screen's pixels."""
    view = variants(demo_frame)[name]
    _theme, surf, drawn = render(size, view)
    for d in drawn:
        if d.kind == "cue":
            assert rendered_cap(d) >= th.CUE_MIN_CAP * size[1], f"cue {d.text!r} too small"
    numbers = [d for d in drawn if d.kind == "number"]
    if view.screen.value in NUMBER_SCREENS:
        assert numbers, f"{name}: no number drawn as the one that matters"
    for d in numbers:
        assert rendered_cap(d) >= th.NUMBER_MIN_CAP * size[1], f"{d.text!r} too small"
        digits = d.text.strip("%")
        if digits.replace(":", "").isdigit():
            # digits have no descenders: their ink on the screen is their cap height
            assert ink_height(surf, d) >= th.NUMBER_MIN_CAP * size[1] - 1, d.text


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_the_posture_fault_banner_reads_at_7_to_1(size, demo_frame):
    for role in ("fault", "alert"):
        _theme, _surf, drawn = render(size, make_view(Screen.SESSION, demo_frame, CUES[role]))
        cue = [d for d in drawn if d.kind == "cue"]
        assert cue
        for d in cue:
            ratio = th.contrast(d.colour, d.background)
            assert ratio >= th.FAULT_CONTRAST, f"{role}: {ratio:.2f}"


@pytest.mark.parametrize("size", SIZE_PARAMS)
@pytest.mark.parametrize("name", NAMES)
def test_text_is_big_enough_contrasted_unclipped_and_apart(name, size, demo_frame):
    view = variants(demo_frame)[name]
    theme, _surf, drawn = render(size, view)
    screen = build_screens(theme)[view.screen]
    assert drawn, "the screen drew no text"
    # the staff screen is read by staff at arm's length: exempt from the 2 m floors
    floor = th.STAFF_MIN_CAP if screen.staff_only else th.MEMBER_MIN_CAP
    margin = theme.px(0.01)
    screen_rect = (margin, 0, size[0] - 2 * margin, size[1])
    for d in drawn:
        cap = rendered_cap(d)
        assert cap >= floor * size[1], f"{d.text!r}: cap height {cap}px < {floor:.0%} of H"
        ratio = th.contrast(d.colour, d.background)
        assert ratio >= th.MIN_CONTRAST, f"{d.text!r}: contrast {ratio:.2f} on {d.background}"
        assert inside(d.rect, screen_rect), f"{d.text!r} {d.rect} touches the screen edge"
        if d.container is not None:
            assert inside(d.rect, d.container), f"{d.text!r} {d.rect} leaves {d.container}"
    for i, a in enumerate(drawn):
        for b in drawn[i + 1 :]:
            assert overlap(a.rect, b.rect) == 0, f"{a.text!r} {a.rect} overlaps {b.text!r} {b.rect}"
    for box_name, box in theme.boxes.items():
        for d in drawn:
            if d.container is not None and inside(d.container, box):
                continue
            assert overlap(d.rect, box) == 0, f"{d.text!r} {d.rect} runs into the {box_name}"


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_banner_text_wraps_in_balanced_lines_with_margins(size, demo_frame):
    for role, cue in CUES.items():
        theme, _surf, drawn = render(size, make_view(Screen.SESSION, demo_frame, cue))
        bx, by, bw, bh = theme.layout.banner()
        lines = [d for d in drawn if d.kind == "cue"]
        # at the cue floor the longest catalog wording takes a third line (the banner grows)
        assert 1 <= len(lines) <= (3 if role == "long" else 2), f"{role}: {[d.text for d in lines]}"
        # a line break may stand in for a "·" separator
        assert " ".join(d.text for d in lines) in (cue.text, cue.text.replace(" ·", ""))
        pad = theme.px(0.02)
        for d in lines:
            assert inside(d.rect, (bx + pad, by, bw - 2 * pad, bh)), f"{d.text!r} near the edge"
            assert d.text[:1] not in "—–-·,", f"a line starts with punctuation: {d.text!r}"
        if len(lines) == 2 and " ".join(d.text for d in lines) == cue.text:
            widths = sorted(d.rect[2] for d in lines)
            assert widths[0] >= 0.45 * widths[1], f"unbalanced: {[d.text for d in lines]}"


def test_dark_text_on_light_banners_white_on_dark() -> None:
    for colour in (th.CAUTION, th.INFO, th.GOOD, th.FAULT):
        assert th.contrast(th.text_on(colour), colour) >= th.MIN_CONTRAST
    assert th.text_on(th.CAUTION) == th.INK and th.text_on(th.INFO) == th.INK
    assert th.text_on(th.PANEL) == th.TEXT
    assert th.contrast(th.TEXT, th.CAUTION) < 2.5  # why: white on orange was unreadable


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_the_session_shows_one_posture_state_the_block_and_its_time_left(size, demo_frame):
    """Fewer things, not smaller ones: the cue, one posture word, the block, its time left."""
    theme, _surf, drawn = render(size, make_view(Screen.SESSION, demo_frame))
    texts = [d.text for d in drawn]
    assert [d.text for d in drawn if d.kind == "number"] == ["1:50"]
    assert "Upright" in texts and "Chest up — stand tall" in " ".join(texts)
    assert any(t.startswith(("Walk BACKWARD", "Backward")) for t in texts), texts
    gauge = theme.boxes["gauge"]
    assert gauge[2] >= 0.35 * size[1], f"gauge {gauge[2]} px wide"


def test_the_gauge_says_degrees_and_a_direction_both_ways() -> None:
    from kiosk.ui.gauge import lean_words

    assert lean_words("leaning_forward", 15.2) == "15° forward"
    assert lean_words("leaning_back", -20.4) == "20° back"
    assert lean_words("upright", 3.0) == "Upright"
    assert lean_words(None, None) == "Measuring…"
    assert lean_words("leaning_side", -8.0, side=True) == "8° sideways"


def test_the_first_seconds_say_measuring_not_dashes_beside_a_tick(demo_frame):
    view = make_view(Screen.SESSION, demo_frame, None)
    view.session = session_view(
        lean_deg=None, core_score=None, cadence_spm=None, pct_upright=None, posture="upright"
    )
    _theme, _surf, drawn = render((800, 480), view)
    texts = [d.text for d in drawn]
    assert "Measuring…" in texts and "—" not in texts
    from kiosk.ui.gauge import posture_role

    assert posture_role("upright", None) == "info"  # no green tick before a value


def test_the_other_numbers_take_turns_in_the_strip(demo_frame):
    seen = set()
    for now in range(0, 30, 5):
        view = make_view(Screen.SESSION, demo_frame)
        view.now = float(now)
        _theme, _surf, drawn = render((800, 480), view)
        seen |= {d.text for d in drawn}
    assert {"86% upright", "94 steps/min", "Core 100"} <= seen
    assert any(t.startswith("FORWARD") and t.endswith("in 1:50") for t in seen), seen


def test_member_screens_never_show_error_text_or_paths(demo_frame):
    view = variants(demo_frame)["camera_lost_with_error"]
    _theme, _surf, drawn = render((1280, 720), view)
    joined = " ".join(d.text for d in drawn)
    assert "/dev" not in joined and "Error" not in joined
    assert "The camera is reconnecting" in joined


def test_safety_wording_never_contradicts_itself(demo_frame):
    vs = variants(demo_frame)
    _t, _s, back = render((1024, 600), vs["safety_back_in_place"])
    _t, _s, lost = render((1024, 600), vs["safety_member_lost"])
    back_texts = [d.text for d in back]
    assert "We can't see you" not in back_texts and "Press START to go on" in back_texts
    assert "We can't see you" in [d.text for d in lost]
    for d in back + lost:
        # STOP ends the session here, so no sentence tells the member to "STOP"
        assert "STOP" not in d.text or d.text == "STOP"


def test_one_name_per_button_meaning(demo_frame):
    """STOP is "Cancel" before a session and "End session" during one; nothing else."""
    names: dict[str, set[str]] = {}
    for view in variants(demo_frame).values():
        screen = build_screens(Theme(800, 480))[view.screen]
        for button, label in screen.hints(view):
            names.setdefault(button, set()).add(label)
    assert names["stop"] == {"Cancel", "End session"}
    assert names["start"] <= {"Begin", "Pause", "Resume", "Skip", "Done", "Try again", "Save"}
    assert "" not in set().union(*names.values()), "every key cap has a label"


def test_rejected_check_in_offers_the_guest_button_and_it_works(demo_frame):
    from kiosk.flow.machine import KioskController

    view = variants(demo_frame)["checkin_rejected_reason"]
    screen = build_screens(Theme(1024, 600))[Screen.CHECKIN_REJECTED]
    assert ("select", "Guest") in screen.hints(view)
    c = KioskController(member_id_digits=6)
    c.on_card("999", 1.0)
    c.on_checkin_result(False, 2.0, reason="Unknown card")
    assert c.screen is Screen.CHECKIN_REJECTED
    c.on_button("select", "press", 3.0)
    assert c.screen is Screen.POSITION and c.member is not None and c.member.is_guest


@pytest.mark.slow
def test_hints_sit_in_the_same_row_on_every_screen(demo_frame):
    for size in SIZES:
        for name, view in variants(demo_frame).items():
            theme, _surf, drawn = render(size, view)
            row = theme.layout.hints()  # one row, or two when three hints need them
            assert row[1] + row[3] == size[1]
            labels = {lab for _b, lab in build_screens(theme)[view.screen].hints(view)}
            in_row = [d for d in drawn if inside(d.rect, row)]
            assert labels <= {d.text for d in in_row}, f"{name}: hints outside the hint row"


def test_wrapping_is_balanced_and_keeps_separators_inside_lines() -> None:
    theme = Theme(800, 480)
    size = theme.min_text
    font = theme.font(size)
    text = "Walk FORWARD · 2 mph"
    lines, _s = theme.fit_lines(text, font.size(text)[0] - 10, size, size)
    assert lines == ["Walk FORWARD", "2 mph"]  # the break replaces the separator
    cue = "Chest up — stand tall"
    lines, _s = theme.fit_lines(cue, font.size(cue)[0] - 10, size, size)
    assert lines == ["Chest up —", "stand tall"]


def test_the_camera_error_goes_to_the_staff_screen(demo_frame):
    from kiosk.flow.digit_entry import DigitEntry
    from kiosk.flow.staff_menu import StaffState

    view = make_view(Screen.STAFF, demo_frame)
    view.camera_message = "cannot open /dev/video0: No such device"
    view.controller.staff = StaffState(pin=DigitEntry(4), unlocked=True)
    _theme, _surf, drawn = render((1920, 1080), view)
    assert any("/dev/video0" in d.text for d in drawn)


@pytest.mark.parametrize("size", SIZE_PARAMS)
def test_fallback_screens_follow_the_same_rules(size):
    from kiosk.ui.screens.base import draw_error_screen

    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    draw_error_screen(surf, theme, "KeyError: 'x' in /opt/backstep/kiosk/ui/screens/session.py")
    drawn = list(theme.drawn)
    _t, _s, waiting = render(size, make_view(Screen.POSITION, None))
    for d in drawn + waiting:
        assert d.size >= theme.min_text
        assert th.contrast(d.colour, d.background) >= th.MIN_CONTRAST, d.text
    assert not any("/opt" in d.text for d in drawn)  # the details go to the log
    assert "Waiting for the camera…" in [d.text for d in waiting]


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_no_member_screen_cuts_its_words_short(size: tuple[int, int]) -> None:
    """A member reads every word whole: long lines wrap, never end in an ellipsis."""
    for name, view in variants(None).items():
        theme = Theme(*size)
        theme.recording = True
        surf = pygame.Surface(size)
        build_screens(theme, MirrorView())[view.screen].draw(surf, view)
        if name.startswith("staff"):
            continue  # staff read at arm's length; their lists may be cut
        cut = [d.text for d in theme.drawn if d.text.endswith("…") and "Measuring" not in d.text]
        # a long name may be shortened in the top strip (it is data, not an instruction)
        cut = [c for c in cut if not c.startswith("Waiting for")]
        cut = [c for c in cut if not view.member_name.startswith(c.rstrip("…"))]
        assert cut == [], (name, cut)
