"""The dashboard's web application: Starlette routes, login, cookies, security headers."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard.accounts import Accounts
from dashboard.data import DashboardData
from dashboard.security import CSRF_FIELD, LoginThrottle, csrf_ok, csrf_token
from kiosk.config.schema import BackstepConfig

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
COOKIE = "backstep_dashboard"
WORKER_THREADS = 4
# No inline script: the chart data travels as JSON in <script type="application/json">.
# uPlot sets element styles from script, which style-src must allow.
_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; "
     b"style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
     b"form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]  # fmt: skip


@dataclass
class Dashboard:
    """What the routes share: the data, the accounts, the config, the login throttle."""

    data: DashboardData
    accounts: Accounts
    config: BackstepConfig
    throttle: LoginThrottle = field(init=False)

    def __post_init__(self) -> None:
        d = self.config.dashboard
        self.throttle = LoginThrottle(d.max_failed_logins, d.lockout_minutes * 60)


class SecurityHeaders:
    """Adds the security headers to every response; pages are never cached (health data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(_HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _when(t: float | None) -> str:
    if t is None:
        return "—"
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M")


def _num(v: Any, digits: int = 1) -> str:
    # a summary without the key (older kiosks, other stations) is Jinja's Undefined
    if v is None or isinstance(v, jinja2.Undefined):
        return "—"
    return f"{v:.{digits}f}"


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["when"] = _when
templates.env.filters["num"] = _num


def current_user(request: Request) -> str | None:
    """The logged-in trainer's name, or None (also when the account was removed since)."""
    name = request.session.get("user")
    if not isinstance(name, str):
        return None
    board: Dashboard = request.app.state.board
    return name if board.accounts.exists(name) else None


def to_login(request: Request) -> RedirectResponse:
    """Send an anonymous visitor to the login page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A page from ``templates/`` with the CSRF token and the user filled in."""
    context.setdefault("user", request.session.get("user"))
    context["csrf_field"] = CSRF_FIELD
    context["csrf"] = csrf_token(request.session)
    return templates.TemplateResponse(request, name, context, status_code=status)


def _safe_next(target: str | None) -> str:
    # only paths on this site: "//evil.example", "/\\evil.example" (browsers read the
    # backslash as a slash) and "https://..." would leave it
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/members"


async def login_page(request: Request) -> Response:
    """GET /login."""
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")))


async def login(request: Request) -> Response:
    """POST /login: CSRF, throttle, then the password."""
    board: Dashboard = request.app.state.board
    form = await request.form()
    name = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return render(request, "login.html", 403, error="The form expired: please try again.",
                      next=target)  # fmt: skip
    client = f"ip:{request.client.host if request.client else '?'}"
    keys = (f"user:{name.lower()}", client)
    wait = board.throttle.wait_s(*keys)
    if wait > 0:
        logger.warning("login locked for %r from %s", name, client)
        minutes = int(wait // 60) + 1
        return render(request, "login.html", 429, next=target,
                      error=f"Too many failed logins: try again in {minutes} min.")  # fmt: skip
    trainer = await run_in_threadpool(board.accounts.verify, name, password)
    if trainer is None:
        board.throttle.failed(*keys)
        logger.info("failed login for %r from %s", name, client)
        return render(request, "login.html", 401, next=target,
                      error="Wrong name or password.")  # fmt: skip
    board.throttle.succeeded(*keys)
    # a fresh session (and CSRF token) at login: a token planted before login is useless
    request.session.clear()
    request.session["user"] = trainer.name
    csrf_token(request.session)
    logger.info("trainer %s logged in from %s", trainer.name, client)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """POST /logout (with the CSRF field)."""
    form = await request.form()
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return Response("Forbidden: bad or missing CSRF token", status_code=403)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def home(request: Request) -> Response:
    """GET /: the member list."""
    return RedirectResponse("/members", status_code=303)


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    # A few worker threads are plenty for a handful of trainers; anyio's default of 40 would
    # each keep a malloc arena and push the RSS past the Pi budget under a burst of requests.
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(
    data: DashboardData, accounts: Accounts, config: BackstepConfig, secret: str
) -> Starlette:
    """The ASGI application over ``data`` (read-only) and the trainer ``accounts``."""
    from dashboard import takeaway, views

    d = config.dashboard
    routes = [
        Route("/", home),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/members", views.members_page),
        Route("/members/{member_id}/sessions.csv", views.member_csv),
        Route("/members/{member_id}", views.member_page),
        Route("/sessions.csv", views.all_sessions_csv),
        Route("/sessions/{session_id:int}/samples.csv", views.session_csv),
        Route("/sessions/{session_id:int}", views.session_page),
        # issue 22: a member's own session on their phone, behind a one-time token
        Route("/take/{token}", takeaway.takeaway_page),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=800),
        Middleware(
            SessionMiddleware,
            secret_key=secret,
            session_cookie=COOKIE,
            max_age=int(d.session_hours * 3600),
            same_site="strict",
            https_only=d.secure_cookies,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan)
    app.state.board = Dashboard(data, accounts, config)
    return app
