"""The dashboard's pages and CSV downloads (all read-only GETs behind the login)."""

from __future__ import annotations

import json
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from dashboard.attention import RECENT, facts_since, member_rows, outcomes, regression
from dashboard.charts import Chart, member_charts, session_charts
from dashboard.csv_export import samples_csv, sessions_csv
from dashboard.data import facts_from_record
from dashboard.machine import machine_charts, machine_facts
from dashboard.pages import Dashboard, current_user, render, to_login
from kiosk.session.progression import suggest_next


def _board(request: Request) -> Dashboard:
    board: Dashboard = request.app.state.board
    return board


def _charts_json(charts: list[Chart]) -> str:
    # "</" cannot end the <script> element early: JSON allows escaping the slash
    return json.dumps([c.to_json() for c in charts], separators=(",", ":")).replace("</", "<\\/")


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _not_found(request: Request, what: str) -> Response:
    return render(request, "missing.html", 404, what=what)


#: The largest session number: a fleet session's UUID as an integer (SQLite's are 64-bit and
#: its data layer answers "none" beyond that).
_MAX_ID = 2**128 - 1


def _session_id(request: Request) -> int | None:
    """The session number in the URL, or None for anything that cannot name a session."""
    text = str(request.path_params["session_id"])
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(_MAX_ID)):
        return None
    value = int(text)
    return value if value <= _MAX_ID else None


async def members_page(request: Request) -> Response:
    """GET /members: everyone, most in need of attention first."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)

    def load() -> list[Any]:
        now = time.time()
        return member_rows(
            board.data.members(),
            board.data.recent_facts(RECENT + 1, facts_since(now)),
            board.config.dashboard,
            board.config.progression,
            now,
        )

    rows = await run_in_threadpool(load)
    return render(request, "members.html", rows=rows)


async def member_page(request: Request) -> Response:
    """GET /members/{id}: trends, progression, safety events and the sessions table."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)
    member_id = request.path_params["member_id"]

    def load() -> dict[str, Any] | None:
        member = board.data.member(member_id)
        if member is None:
            return None
        facts = board.data.session_facts(member_id)
        baseline = board.data.baseline(member_id)
        return {
            "member": member,
            "facts": list(reversed(facts)),
            "baseline": baseline,
            "suggestion": suggest_next(outcomes(facts), member.level, board.config.progression),
            "regression": regression(facts, board.config.dashboard),
            "safety": [f for f in reversed(facts) if f.safety_events],
            "charts": _charts_json(member_charts(facts, baseline)),
        }

    page = await run_in_threadpool(load)
    if page is None:
        return _not_found(request, f"member {member_id}")
    return render(request, "member.html", **page)


async def session_page(request: Request) -> Response:
    """GET /sessions/{id}: per-second charts with events, the plan and what was done."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)
    session_id = _session_id(request)
    if session_id is None:
        return _not_found(request, "that session")

    def load() -> dict[str, Any] | None:
        session = board.data.session(session_id)
        if session is None or session.status == "active":
            return None
        member = board.data.member(session.member_id) if session.member_id else None
        baseline = board.data.baseline(session.member_id) if session.member_id else None
        samples = board.data.samples(session_id)
        events = board.data.events(session_id)
        units = board.config.treadmill.units
        blocks = board.config.programs.get(session.program, [])
        charts = session_charts(samples, events, baseline, board.config.posture)
        marks = charts[0].events if charts else []
        return {
            "session": session,
            "facts": facts_from_record(session),
            "summary": session.summary or {},
            "member": member,
            "blocks": blocks,
            "events": events,
            "samples": len(samples),
            "machine": machine_facts(samples, session.summary or {}, units),
            "charts": _charts_json(charts + machine_charts(samples, units, marks)),
        }

    page = await run_in_threadpool(load)
    if page is None:
        return _not_found(request, f"session {session_id}")
    return render(request, "session.html", **page)


async def all_sessions_csv(request: Request) -> Response:
    """GET /sessions.csv: every finished session (``backstep export --format csv``)."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)
    text = await run_in_threadpool(lambda: sessions_csv(board.data, board.data.sessions()))
    return _csv(text, "backstep-sessions.csv")


async def member_csv(request: Request) -> Response:
    """GET /members/{id}/sessions.csv (``backstep export --member ID --format csv``)."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)
    member_id = request.path_params["member_id"]
    if await run_in_threadpool(board.data.member, member_id) is None:
        return _not_found(request, f"member {member_id}")
    text = await run_in_threadpool(lambda: sessions_csv(board.data, board.data.sessions(member_id)))
    return _csv(text, f"backstep-{member_id}-sessions.csv")


async def session_csv(request: Request) -> Response:
    """GET /sessions/{id}/samples.csv (the samples file of ``backstep export --samples``)."""
    if current_user(request) is None:
        return to_login(request)
    board = _board(request)
    session_id = _session_id(request)
    if session_id is None:
        return _not_found(request, "that session")
    session = await run_in_threadpool(board.data.session, session_id)
    if session is None or session.status == "active":
        return _not_found(request, f"session {session_id}")
    text = await run_in_threadpool(samples_csv, board.data, session)
    return _csv(text, f"backstep-session-{session_id}-samples.csv")
