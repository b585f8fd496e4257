"""The member's take-away page: one finished session, read-only, behind a one-time token."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from kiosk.session.compare import compare_rows, personal_bests
from kiosk.store.takeaway import peek, redeem

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _not_found(request: Request) -> Response:
    # one answer for unknown, expired and used tokens: a guesser learns nothing
    return templates.TemplateResponse(request, "takeaway_gone.html", {}, status_code=404)


async def takeaway_page(request: Request) -> Response:
    """GET /take/{token}: the session the token was made for, once, before it expires.

    No login: the token is the key, made by the kiosk for this one session, valid for
    ``dashboard.takeaway_minutes`` and used up by this request. Only the station database
    (SQLite) holds tokens: a dashboard over the fleet database has none.
    """
    board = request.app.state.board
    token = str(request.path_params["token"])
    path = getattr(board.data, "path", None)
    if path is None:
        return _not_found(request)

    def load() -> dict[str, Any] | None:
        now = time.time()
        session_id = peek(path, token, now)
        if session_id is None:
            return None
        session = board.data.session(session_id)
        if session is None or session.status == "active":
            return None  # not written yet: the token stays for a second try
        if redeem(path, token, now) != session_id:
            return None
        summary = session.summary or {}
        # the member's own earlier sessions: last time and their best, as on the kiosk
        earlier = sorted(
            (
                s
                for s in (board.data.sessions(session.member_id) if session.member_id else [])
                if s.started < session.started and s.status != "active"
            ),
            key=lambda s: s.started,
        )
        last = (earlier[-1].summary or {}) if earlier else None
        gait = board.config.gait
        rows = compare_rows(
            summary,
            last,
            personal_bests(s.summary for s in earlier),
            (gait.cadence_min_spm, gait.cadence_max_spm),
        )
        when = time.strftime("%d %B %Y, %H:%M", time.localtime(session.started))
        return {"rows": rows, "when": when, "station": session.station_id}

    page = await run_in_threadpool(load)
    if page is None:
        logger.info("take-away page refused (unknown, expired or used token)")
        return _not_found(request)
    return templates.TemplateResponse(request, "takeaway.html", page)
