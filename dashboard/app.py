"""The dashboard's web application: Starlette routes, login, cookies, security headers."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import takeaway, views
from dashboard.accounts import Accounts
from dashboard.data import DashboardData
from dashboard.pages import HERE, LOGIN_KEY, Dashboard, render
from dashboard.security import (
    CSRF_FIELD,
    MAX_NAME_CHARS,
    MAX_PASSWORD_CHARS,
    csrf_ok,
    csrf_token,
    log_name,
    read_small_form,
)
from kiosk.config.schema import BackstepConfig

logger = logging.getLogger(__name__)

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


def _safe_next(target: str | None) -> str:
    # only paths on this site: "//evil.example", "/\\evil.example" (browsers read the
    # backslash as a slash) and "https://..." would leave it
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/members"


async def login_page(request: Request) -> Response:
    """GET /login."""
    return render(request, "login.html", next=_safe_next(request.query_params.get("next")))


def _refused(request: Request, status: int, error: str) -> Response:
    return render(request, "login.html", status, error=error, next="/members")


async def login(request: Request) -> Response:
    """POST /login: size bounds, CSRF, throttle, then the password."""
    board: Dashboard = request.app.state.board
    client = f"ip:{request.client.host if request.client else '?'}"
    # bounded before anything is kept or logged: an anonymous client could post megabytes
    form = await read_small_form(request)
    if form is None:
        logger.info("login form over the size limit from %s", client)
        return _refused(request, 413, "That form is too large.")
    name = form.get("username", "").strip()
    password = form.get("password", "")
    target = _safe_next(form.get("next", ""))
    if len(name) > MAX_NAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        logger.info("login with a %d-character name refused from %s", len(name), client)
        return _refused(request, 400, "Wrong name or password.")
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return render(request, "login.html", 403, error="The form expired: please try again.",
                      next=target)  # fmt: skip
    keys = (f"user:{name.lower()}|{client}", client)
    wait = board.throttle.wait_s(*keys)
    if wait > 0:
        logger.warning("login slowed for %s from %s", log_name(name), client)
        when = f"{int(wait) + 1} s" if wait < 60 else f"{int(wait // 60) + 1} min"
        return render(request, "login.html", 429, next=target,
                      error=f"Too many failed logins: try again in {when}.")  # fmt: skip
    trainer = await run_in_threadpool(board.accounts.verify, name, password)
    if trainer is None:
        board.throttle.failed(*keys)
        logger.info("failed login for %s from %s", log_name(name), client)
        return render(request, "login.html", 401, next=target,
                      error="Wrong name or password.")  # fmt: skip
    board.throttle.succeeded(*keys)
    # a fresh session (and CSRF token) at login: a token planted before login is useless
    old = request.session.get(LOGIN_KEY)
    if isinstance(old, str):
        board.accounts.close_login(old)
    request.session.clear()
    idle_s = board.config.dashboard.session_idle_minutes * 60
    await run_in_threadpool(board.accounts.prune_logins, idle_s)
    request.session[LOGIN_KEY] = await run_in_threadpool(board.accounts.open_login, trainer.name)
    csrf_token(request.session)
    logger.info("trainer %s logged in from %s", trainer.name, client)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """POST /logout (with the CSRF field): the login ends on the server too."""
    form = await read_small_form(request)
    if form is None or not csrf_ok(request.session, form.get(CSRF_FIELD)):
        return Response("Forbidden: bad or missing CSRF token", status_code=403)
    token = request.session.get(LOGIN_KEY)
    if isinstance(token, str):
        board: Dashboard = request.app.state.board
        board.accounts.close_login(token)
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
        # a plain path segment, parsed by the view: Starlette's ``int`` would raise (a 500)
        # on a number of more than 4,300 digits
        Route("/sessions/{session_id}/samples.csv", views.session_csv),
        Route("/sessions/{session_id}", views.session_page),
        # a member's own session on their phone, behind a one-time token
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
