"""Staff screen: PIN with the buttons, then station facts, zone adjustment, config reload."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pygame

from kiosk.flow.machine import STAFF_MENU, ZONE_EDGES
from kiosk.ui import theme as th
from kiosk.ui.pairing_view import draw_pairing, pairing_hints
from kiosk.ui.screens.base import LiveScreen
from kiosk.ui.screens.checkin import draw_digit_boxes
from kiosk.ui.screens.placement import draw_placement, placement_hints
from kiosk.ui.screens.position import view_hint
from kiosk.ui.view_state import FleetLine, ViewState
from kiosk.ui.widgets import blit_centered

logger = logging.getLogger(__name__)

EDGE_WORDS = {"x0": "left edge", "x1": "right edge", "y0": "top edge", "y1": "bottom edge"}
MIRRORED = {"x0": "right edge", "x1": "left edge"}


class StaffScreen(LiveScreen):
    """Locked by a PIN entered with up/down/select; the menu works with the same buttons."""

    title = "Staff"
    staff_only = True

    def _staff(self, view: ViewState) -> Any:
        return view.controller.staff if view.controller is not None else None

    def hints(self, view: ViewState) -> list[tuple[str, str]]:
        st = self._staff(view)
        if st is None or not st.unlocked:
            return [("updown", "Digit"), ("select", "Next"), ("stop", "Cancel")]
        if st.adjusting_zone:
            return [("updown", "Move"), ("select", "Edge"), ("start", "Save"), ("stop", "Cancel")]
        if st.checking_placement:
            return placement_hints(view)
        if st.pairing is not None:
            return pairing_hints(st.pairing)
        return [("updown", "Choose"), ("select", "Open"), ("stop", "Cancel")]

    def strip_middle(self, view: ViewState) -> str:
        return ""

    def draw_body(self, surf: pygame.Surface, view: ViewState) -> None:
        st = self._staff(view)
        t = self.theme
        _x, y, w, h = t.layout.body()
        if st is None or not st.unlocked:
            label = "Wrong PIN — try again" if st is not None and st.wrong_pin else "Staff PIN"
            if st is not None and st.message:  # the PIN lockout says how long to wait
                label = st.message
            caution = st is not None and (st.wrong_pin or bool(st.message))
            blit_centered(
                surf,
                t.text(label, t.min_text, th.CAUTION if caution else th.MUTED),
                (w // 2, y + int(h * 0.15)),
                t,
            )
            if st is not None:
                draw_digit_boxes(
                    self,
                    surf,
                    st.pin.length,
                    st.pin.digits,
                    st.pin.current,
                    (w // 2, y + int(h * 0.58)),
                    hidden=True,
                )
            return
        if st.adjusting_zone:
            self._draw_zone_edit(surf, view)
            return
        if st.checking_placement:
            draw_placement(self, surf, view, wrap_text)
            return
        if st.pairing is not None:
            draw_pairing(surf, t, t.layout.body(), st.pairing)
            return
        self._draw_info(surf, view)

    def _draw_zone_edit(self, surf: pygame.Surface, view: ViewState) -> None:
        st = self._staff(view)
        t = self.theme
        x0, y0, x1, y1 = view.zone
        d = st.zone_delta
        zone = (
            x0 + d.get("x0", 0.0),
            y0 + d.get("y0", 0.0),
            x1 + d.get("x1", 0.0),
            y1 + d.get("y1", 0.0),
        )
        rect = t.layout.mirror(self.has_banner)
        self.mirror.draw(surf, rect, view.frame, view.frame_index, view.mirror, 0.9)
        edge = ZONE_EDGES[st.edge_index]
        self.mirror.draw_zone(surf, zone, view.mirror, th.INFO, 3, highlight_edge=edge)
        self.mirror.draw_skeleton(
            surf, view.landmarks, view.mirror, None, colour=th.INFO, with_icon=False
        )
        px, py, _pw, _ph = self.panel_rect()
        word = EDGE_WORDS[edge]
        if view.mirror and edge in MIRRORED:
            word = MIRRORED[edge]  # the image's left edge shows on the right of a mirror
        lines = [
            ("Treadmill zone", th.TEXT),
            (f"Moving: {word}", th.CAUTION),
            (f"x {zone[0]:.2f}–{zone[2]:.2f}", th.MUTED),
            (f"y {zone[1]:.2f}–{zone[3]:.2f}", th.MUTED),
            ("START saves", th.MUTED),
        ]
        cy = py
        for text, colour in lines:
            img = t.text(text, t.px(0.045), colour)
            t.blit(surf, img, (px, cy))
            cy += int(img.get_height() * 1.3)

    def _draw_info(self, surf: pygame.Surface, view: ViewState) -> None:
        st = self._staff(view)
        t = self.theme
        x, y, w, h = t.layout.body()
        s = view.staff
        pad = t.px(0.025)
        size = t.px(0.036)
        facts = [
            f"Camera: {s.camera or view.camera_state}",
            f"Model: {s.model or '—'}",
            f"Model file: {s.model_path or '—'}",
            f"UI {s.ui_fps:.0f} fps · pose {s.pose_fps:.1f} fps · dropped {s.dropped_frames}",
            f"Config: {s.config_path}",
        ]
        if s.fleet is not None:
            facts.append(fleet_text(s.fleet))
        if view.camera_state != "ok" and view.camera_down_s >= 30.0:
            # members are told to ask staff after 30 s: this line says what to check
            facts.insert(
                0,
                f"Warning: no camera for {view.camera_down_s:.0f} s: check its cable and "
                "power, then [camera] device in the config (the kiosk keeps retrying)",
            )
        if view.person and view.detected_view is not None and not view.side_view:
            # camera placement is the staff's business: members see no camera words
            facts.append(f"Camera angle: {view_hint(view)}")
        if view.camera_message:
            # the camera's own error (paths, devices) is for staff; members see a sentence
            facts.append(f"Error: camera: {view.camera_message}")
        if s.thresholds:
            facts.append(f"Limits: {s.thresholds}")
        if s.cannot_coach:
            facts.append(s.cannot_coach[:1].upper() + s.cannot_coach[1:])
        if s.gpio_warning:
            facts.append(f"GPIO: {s.gpio_warning}")
        if s.restart_needed:
            facts.append("Restart needed for: " + ", ".join(s.restart_needed))
        # standing problems first, then the errors newest first: the list is cut at the
        # bottom of the screen, and the newest error must never be what is cut (#23)
        errors = [f"Error: {e}" for e in reversed(s.errors[-3:])]
        facts = [f"Warning: {w}" for w in s.warnings] + errors + facts
        info_w = int(w * 0.62)
        cy = y + pad
        for fact in facts:
            colour = (
                th.CAUTION
                if fact.startswith(
                    ("GPIO", "Error", "Restart", "Cannot coach", "Warning", FLEET_DOWN)
                )
                else th.TEXT
            )
            # wrapped, not cut: a model or storage problem is read in full
            for text in wrap_text(fact, lambda s: t.font(size).size(s)[0], info_w - pad):
                img = t.text(text, size, colour)
                t.blit(surf, img, (x + pad, cy))
                cy += int(img.get_height() * 1.25)
                if cy > y + h - size:
                    break
            if cy > y + h - size:
                break
        mx = x + info_w + pad
        mw = w - info_w - 2 * pad
        # the message (wrapped to the column) under the menu; the items make room for it
        msg_size = t.px(0.045)
        msg_font = t.font(msg_size)
        message = wrap_text(st.message, lambda s: msg_font.size(s)[0], mw) if st.message else []
        room = h - 2 * pad - len(message) * msg_font.get_linesize() - (pad if message else 0)
        item_h = min(t.px(0.11), room // len(STAFF_MENU) - pad // 2)
        for i, item in enumerate(STAFF_MENU):
            r = pygame.Rect(mx, y + pad + i * (item_h + pad // 2), mw, item_h)
            selected = i == st.menu_index
            pygame.draw.rect(surf, th.INFO if selected else th.PANEL, r, border_radius=8)
            img = t.text(item, t.px(0.05), th.BACKGROUND if selected else th.TEXT)
            t.blit(surf, img, midleft=(r.x + pad, r.centery))
        my = y + pad + len(STAFF_MENU) * (item_h + pad // 2) + pad // 2
        for line in message:
            img = t.text(line, msg_size, th.GOOD)
            t.blit(surf, img, (mx, my))
            my += msg_font.get_linesize()


FLEET_DOWN = "Fleet: server unreachable"


def fleet_text(line: FleetLine) -> str:
    """E.g. "Fleet: server reachable · last sync 12 s ago · 0 waiting"."""
    waiting = f"{line.waiting} waiting"
    if line.reachable is False:
        since = ""
        if line.down_since is not None:
            since = " since " + dt.datetime.fromtimestamp(line.down_since).strftime("%H:%M")
        return f"{FLEET_DOWN}{since} · {waiting} (this station works alone)"
    state = "server reachable" if line.reachable else "connecting"
    if line.since_sync_s is None:
        last = "never synced"
    elif line.since_sync_s < 120:
        last = f"last sync {line.since_sync_s:.0f} s ago"
    else:
        last = f"last sync {line.since_sync_s / 60:.0f} min ago"
    return f"Fleet: {state} · {last} · {waiting}"


def wrap_text(text: str, width_of: Callable[[str], int], max_w: int) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``max_w`` (long words are split)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if width_of(candidate) <= max_w:
            line = candidate
            continue
        if line:
            lines.append(line)
        while width_of(word) > max_w and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and width_of(word[:cut]) > max_w:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines
