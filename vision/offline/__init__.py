"""Offline tools on recorded clips: ``analyze`` and ``bench``."""
