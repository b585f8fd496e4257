"""Retention: old sessions' samples are deleted; summaries and events stay."""

from __future__ import annotations

import logging

from kiosk.store.connection import StoreConnection

logger = logging.getLogger(__name__)


class Retention(StoreConnection):
    """Deleting old samples (part of :class:`kiosk.store.database.Store`)."""

    # -- retention ---------------------------------------------------------------------------

    def apply_retention(self, now: float, retention_days: int) -> int:
        """Delete samples of sessions started more than ``retention_days`` ago; return count.

        Summaries and events stay: they are small and the trainer's history needs them.
        """
        cutoff = now - retention_days * 86400.0
        n = self._run_write(
            lambda c: (
                c.execute(
                    "DELETE FROM samples WHERE session_id IN "
                    "(SELECT id FROM sessions WHERE started < ? AND status != 'active')",
                    (cutoff,),
                ).rowcount
            )
        )
        # what was typed or shown at a refused check-in expires with the samples
        self._run_write(
            lambda c: c.execute(
                "UPDATE checkins SET claimed_id = NULL WHERE t < ? AND claimed_id IS NOT NULL",
                (cutoff,),
            )
        )
        if n:
            logger.info("retention: deleted %d samples older than %d days", n, retention_days)
        return int(n)
