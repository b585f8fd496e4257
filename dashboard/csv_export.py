"""CSV downloads: the writers of ``backstep export`` (:mod:`kiosk.store.export`), nothing more."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import cast

from dashboard.data import DashboardData
from kiosk.store.database import SessionRecord, Store
from kiosk.store.export import write_samples_csv, write_sessions_csv


def sessions_csv(sessions: Sequence[SessionRecord]) -> str:
    """Sessions as ``backstep export --format csv`` writes them."""
    buf = io.StringIO()
    write_sessions_csv(sessions, buf)
    return buf.getvalue()


def samples_csv(data: DashboardData, session: SessionRecord) -> str:
    """One session's samples as ``backstep export --format csv --samples`` writes them."""
    buf = io.StringIO()
    # the export reads samples through ``store.samples(id)``, which every DashboardData has
    write_samples_csv(cast(Store, data), [session], buf)
    return buf.getvalue()
