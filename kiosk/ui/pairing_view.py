"""The staff screen's pairing step as drawn: what to pair, the scan, the devices found."""

from __future__ import annotations

import pygame

from kiosk.flow.pairing import KIND_WORDS, KINDS, PairingState
from kiosk.ui import theme as th
from kiosk.ui.theme import Rect, Theme
from kiosk.ui.widgets import fit_text

#: What to check when a scan finds nothing, per kind.
NONE_FOUND = {
    "treadmill": "None found: switch the console on; a phone app connected to it hides it",
    "heart_rate": "None found: a strap advertises only while it is worn (moisten the pads)",
}


def pairing_hints(state: PairingState) -> list[tuple[str, str]]:
    """The buttons of each step: choose and scan, wait, choose and pair."""
    if not state.listing:
        return [("updown", "Choose"), ("select", "Scan"), ("stop", "Cancel")]
    result = state.result
    if result is None:
        return [("stop", "Cancel")]
    if not result.devices:
        return [("select", "Scan again"), ("stop", "Cancel")]
    return [("updown", "Choose"), ("select", "Pair"), ("stop", "Cancel")]


def device_row(name: str, address: str, rssi: int | None) -> tuple[str, str]:
    """One device in the list: its name, and its address and signal ("F1:…:01 · -61 dBm").

    The address is what is written into the staff file, so it is never the part cut short.
    """
    right = address if rssi is None else f"{address} · {rssi} dBm"
    return name or "(no name)", right


def draw_pairing(surf: pygame.Surface, t: Theme, rect: Rect, state: PairingState) -> None:
    """The kinds to choose from, or the scan under way, or the devices it found."""
    x, y, w, h = rect
    pad = t.px(0.025)
    size = t.px(0.045)
    item_h = t.px(0.1)
    what = KIND_WORDS[state.kind]
    head = "Pair a treadmill or a heart-rate strap" if not state.listing else f"Pair: {what}"
    t.blit(surf, fit_text(t, head, w - 2 * pad, size, th.TEXT), (x + pad, y + pad))
    top = y + pad + int(t.font(size).get_linesize() * 1.4)
    if not state.listing:
        lines = [(KIND_WORDS[k], "") for k in KINDS]
        _draw_items(surf, t, (x + pad, top, w - 2 * pad, item_h), lines, state.kind_index)
        return
    result = state.result
    if result is None:
        msg = f"Scanning for {'treadmills' if state.kind == 'treadmill' else 'straps'}…"
        t.blit(surf, fit_text(t, msg, w - 2 * pad, size, th.INFO), (x + pad, top))
        return
    if result.error or not result.devices:
        msg = result.error or NONE_FOUND[state.kind]
        wrapped, lsize = t.fit_lines(msg, w - 2 * pad, size, size, max_lines=4)
        for line in wrapped:  # whole: the reason is what staff act on
            t.blit(surf, t.text(line, lsize, th.CAUTION), (x + pad, top))
            top += t.font(lsize).get_linesize()
        return
    lines = [device_row(d.name, d.address, d.rssi) for d in result.devices]
    rows = max(1, (y + h - top) // (item_h + pad // 2))
    first = max(0, min(state.device_index - rows + 1, len(lines) - rows))
    shown = lines[first : first + rows]
    _draw_items(surf, t, (x + pad, top, w - 2 * pad, item_h), shown, state.device_index - first)


def _draw_items(
    surf: pygame.Surface, t: Theme, first: Rect, lines: list[tuple[str, str]], selected: int
) -> None:
    """Menu-style boxes, one per (left, right) line, the selected one highlighted."""
    x, y, w, item_h = first
    pad = t.px(0.025)
    size = t.px(0.045)
    for i, (left, right) in enumerate(lines):
        r = pygame.Rect(x, y + i * (item_h + pad // 2), w, item_h)
        box = (r.x, r.y, r.w, r.h)
        on = i == selected
        pygame.draw.rect(surf, th.INFO if on else th.PANEL, r, border_radius=8)
        colour = th.BACKGROUND if on else th.TEXT
        room = w - 2 * pad
        if right:
            img = t.text(right, size, colour)
            t.blit(surf, img, midleft=(r.right - pad - img.get_width(), r.centery), container=box)
            room -= img.get_width() + pad
        img = fit_text(t, left, room, size, colour)
        t.blit(surf, img, midleft=(r.x + pad, r.centery), container=box)
