"""CSV downloads: the writers of ``backstep export`` (:mod:`kiosk.store.export`), nothing more.

Those writers pass every cell through :func:`kiosk.store.export.spreadsheet_safe`, so a
member named ``=HYPERLINK(...)`` is text in the trainer's spreadsheet here too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from dashboard.data import DashboardData
from kiosk.store.database import SessionRecord
from kiosk.store.export import MemberLookup, write_samples_csv, write_sessions_csv


def sessions_csv(data: DashboardData, sessions: Sequence[SessionRecord]) -> str:
    """Sessions as ``backstep export --format csv`` writes them."""
    buf = io.StringIO()
    write_sessions_csv(MemberLookup(data.member, data.baseline), sessions, buf)
    return buf.getvalue()


def samples_csv(data: DashboardData, session: SessionRecord) -> str:
    """One session's samples as ``backstep export --format csv --samples`` writes them."""
    buf = io.StringIO()
    write_samples_csv(data.samples, [session], buf)
    return buf.getvalue()
