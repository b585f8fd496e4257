"""What every dashboard page shares: the board, the templates, the user, rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from dashboard.accounts import Accounts
from dashboard.data import DashboardData
from dashboard.security import CSRF_FIELD, LoginThrottle, csrf_token
from kiosk.config.schema import BackstepConfig

HERE = Path(__file__).parent


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


#: The session cookie's key for the login token (the server holds what it means).
LOGIN_KEY = "login"


def current_user(request: Request) -> str | None:
    """The logged-in trainer's name, or None.

    The signed cookie only carries a random token; the accounts database says whose login
    it is, so logging out, removing the trainer, a new password or an idle spell longer
    than ``dashboard.session_idle_minutes`` ends it on the server, whatever the browser kept.
    """
    token = request.session.get(LOGIN_KEY)
    if not isinstance(token, str):
        return None
    board: Dashboard = request.app.state.board
    return board.accounts.login_user(token, board.config.dashboard.session_idle_minutes * 60)


def to_login(request: Request) -> RedirectResponse:
    """Send an anonymous visitor to the login page, coming back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A page from ``templates/`` with the CSRF token and the user filled in."""
    context.setdefault("user", current_user(request))
    context["csrf_field"] = CSRF_FIELD
    context["csrf"] = csrf_token(request.session)
    return templates.TemplateResponse(request, name, context, status_code=status)
