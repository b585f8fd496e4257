"""States stay distinguishable without colour: rendered screens under simulated CVD.

Protanopia and deuteranopia are simulated with the Machado, Oliveira & Fernandes (2009)
matrices at severity 1.0, applied in linear RGB. Two renders of a state indicator (the
cue banner's icon, the gauge's and the headline's state icons) count as distinguishable
when, after the simulation, enough of their pixels still differ by a glance-sized colour
difference (CIE76 ΔE ≥ 40) — by colour or by shape.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np
import pygame
import pytest
from support.screen_views import CUES, make_view, session_view, summary

from kiosk.flow.machine import Screen
from kiosk.ui import theme as th
from kiosk.ui.screens import build_screens
from kiosk.ui.theme import Theme
from kiosk.ui.widgets import draw_icon

pytestmark = pytest.mark.usefixtures("pygame_display")

#: Machado et al. (2009), Table 1, severity 1.0 (linear RGB).
MACHADO = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}
#: A colour difference read at a glance (CIE76); orange vs vermillion under deuteranopia is
#: about 18, under normal vision about 33.
GLANCE_DELTA_E = 40.0
#: Share of an indicator's pixels that must still differ.
MIN_SHARE = 0.05


def _linear(rgb: np.ndarray) -> np.ndarray:
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = linear @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def simulate(rgb: np.ndarray, kind: str | None) -> np.ndarray:
    """CIELAB of ``rgb`` (H x W x 3, 0-255) as seen with ``kind`` (None = normal vision)."""
    lin = _linear(rgb.astype(float))
    if kind is not None:
        lin = np.clip(lin @ MACHADO[kind].T, 0.0, 1.0)
    return _lab(lin)


def distinguishable(a: np.ndarray, b: np.ndarray, kind: str | None) -> float:
    """Share of pixels of two same-sized crops that differ at a glance under ``kind``."""
    d = np.linalg.norm(simulate(a, kind) - simulate(b, kind), axis=-1)
    return float(np.mean(d >= GLANCE_DELTA_E))


def crop(surf: pygame.Surface, rect: tuple[int, int, int, int]) -> np.ndarray:
    return pygame.surfarray.array3d(surf.subsurface(pygame.Rect(rect))).copy()


def draw(view, size=(800, 480)):
    theme = Theme(*size)
    theme.recording = True
    surf = pygame.Surface(size)
    build_screens(theme)[view.screen].draw(surf, view)
    return theme, surf


def banner_icon(role: str) -> np.ndarray:
    """The banner's icon area for a cue of ``role`` (same words for every role)."""
    from kiosk.session.views import CueView

    view = make_view(Screen.SESSION, None, CueView("Keep going", role))
    theme, surf = draw(view)
    bx, by, _bw, bh = theme.layout.banner()
    return crop(surf, (bx, by, int(bh * 0.62) + theme.px(0.03) * 2, bh))


def icon_left_of(theme: Theme, surf: pygame.Surface, text: str) -> np.ndarray:
    """The state icon drawn just left of the text ``text``."""
    d = next(d for d in theme.drawn if d.text == text)
    size = theme.min_text
    x, y, _w, h = d.rect
    return crop(surf, (x - int(size * 1.4), y + h // 2 - size // 2 - 1, int(size * 1.3), size + 2))


KINDS = ["protanopia", "deuteranopia"]


@pytest.mark.parametrize("kind", KINDS)
def test_cue_banner_states_stay_apart(kind):
    icons = {role: banner_icon(role) for role in ("good", "caution", "fault", "info")}
    roles = list(icons)
    for i, a in enumerate(roles):
        for b in roles[i + 1 :]:
            share = distinguishable(icons[a], icons[b], kind)
            assert share >= MIN_SHARE, f"{a} vs {b} under {kind}: {share:.3f}"


@pytest.mark.parametrize("kind", KINDS)
def test_the_measure_fails_when_only_colour_differs(kind):
    """Control: the same triangle in orange and in vermillion collapses under CVD."""
    crops = []
    for colour in (th.CAUTION, th.FAULT):
        surf = pygame.Surface((80, 80))
        surf.fill(th.BACKGROUND)
        draw_icon(surf, "triangle", (40, 40), 60, colour)
        crops.append(pygame.surfarray.array3d(surf))
    assert distinguishable(crops[0], crops[1], kind) < MIN_SHARE
    assert distinguishable(crops[0], crops[1], None) < MIN_SHARE  # ΔE 33: not at a glance


@pytest.mark.parametrize("kind", KINDS)
def test_gauge_state_icons_stay_apart(kind):
    states = {
        "good": session_view(lean_deg=2.0, posture="upright"),
        "fault": session_view(lean_deg=17.0, posture="leaning_forward"),
        "info": session_view(lean_deg=None, posture=None),
    }
    words = {"good": "Upright", "fault": "17° forward", "info": "Measuring…"}
    icons = {}
    for name, s in states.items():
        view = make_view(Screen.SESSION, None, None)
        view.session = s
        theme, surf = draw(view)
        text = next(d.text for d in theme.drawn if d.text.startswith(words[name].split(":")[0]))
        icons[name] = icon_left_of(theme, surf, text)
    names = list(icons)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            share = distinguishable(icons[a], icons[b], kind)
            assert share >= MIN_SHARE, f"gauge {a} vs {b} under {kind}: {share:.3f}"


@pytest.mark.parametrize("kind", KINDS)
def test_summary_headline_states_stay_apart(kind):
    icons = {}
    for pct in (90.0, 70.0, 40.0):
        view = make_view(Screen.SUMMARY, None, None)
        view.summary = summary()
        view.summary.pct_upright = pct
        theme, surf = draw(view)
        word = next(d.text for d in theme.drawn if d.text.startswith("upright"))
        icons[pct] = icon_left_of(theme, surf, word)
    keys = list(icons)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            share = distinguishable(icons[a], icons[b], kind)
            assert share >= MIN_SHARE, f"{a}% vs {b}% under {kind}: {share:.3f}"


def test_one_icon_per_role_on_gauge_banner_and_ring() -> None:
    from kiosk.ui.gauge import posture_role
    from kiosk.ui.widgets import banner_icon as banner_shape

    assert th.role_icon("caution") != th.role_icon("fault")
    assert banner_shape("fault") == th.role_icon(posture_role("leaning_forward", 17.0))
    for role in ("good", "caution", "fault", "info"):
        assert banner_shape(role) == th.role_icon(role)
    assert CUES  # the views module offers every role
