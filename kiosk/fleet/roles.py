"""Least-privilege roles on the central database: one login role per station, two groups.

``backstep_station`` (group): read members, tombstones, sessions and baselines; add and
update sessions, samples, events, check-ins and baselines; nothing else - no DELETE, no DDL.
``backstep_manager`` (group): the member list (import, forget); grant it to the staff
account that runs ``backstep members import/forget`` against the server.
``backstep_dashboard`` (group): read members, sessions, samples, events and baselines, for
the trainers' dashboard on the gym server; it writes nothing.
Each station logs in as ``backstep_<station id>`` (member of ``backstep_station``).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

logger = logging.getLogger(__name__)

STATION_GROUP = "backstep_station"
MANAGER_GROUP = "backstep_manager"
DASHBOARD_GROUP = "backstep_dashboard"

#: The grants, also printed by ``backstep fleet init --print-sql`` for DBAs who run SQL by hand.
GRANTS_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{STATION_GROUP}') THEN
    CREATE ROLE {STATION_GROUP} NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{MANAGER_GROUP}') THEN
    CREATE ROLE {MANAGER_GROUP} NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{DASHBOARD_GROUP}') THEN
    CREATE ROLE {DASHBOARD_GROUP} NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO {STATION_GROUP}, {MANAGER_GROUP}, {DASHBOARD_GROUP};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT SELECT ON members, forgotten_members, sessions, baselines, schema_migrations
  TO {STATION_GROUP};
GRANT INSERT (id, name, expires, level, birth_year) ON members TO {STATION_GROUP};
GRANT INSERT, UPDATE ON sessions, baselines, stations TO {STATION_GROUP};
GRANT SELECT ON stations TO {STATION_GROUP};
GRANT INSERT ON samples, events, checkins TO {STATION_GROUP};
-- ON CONFLICT (uuid) needs to see the key, not the other stations' check-ins
GRANT SELECT (uuid) ON checkins TO {STATION_GROUP};
GRANT SELECT, INSERT, UPDATE, DELETE ON members, forgotten_members TO {MANAGER_GROUP};
GRANT SELECT, DELETE ON checkins TO {MANAGER_GROUP};
GRANT SELECT ON sessions, samples, events, baselines, stations, schema_migrations
  TO {MANAGER_GROUP};
GRANT SELECT ON members, sessions, samples, events, baselines TO {DASHBOARD_GROUP};
"""


def station_role(station_id: str) -> str:
    """The login role of a station: ``backstep_`` + its id, lower case, ``-``/``.`` as ``_``."""
    return "backstep_" + re.sub(r"[^a-z0-9_]", "_", station_id.lower())


@dataclass(frozen=True, slots=True)
class StationLogin:
    """A station role; ``password`` is None when the role already existed (left unchanged)."""

    station_id: str
    role: str
    password: str | None


def apply_grants(conn: psycopg.Connection[Any]) -> None:
    """Create the two group roles if missing and (re)apply their grants."""
    with conn.transaction():
        conn.execute(GRANTS_SQL.encode())


def ensure_station_role(
    conn: psycopg.Connection[Any], station_id: str, *, rotate: bool = False
) -> StationLogin:
    """Create the station's login role with a random password (or a new one with ``rotate``)."""
    from psycopg import sql

    role = station_role(station_id)
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    if exists and not rotate:
        return StationLogin(station_id, role, None)
    password = secrets.token_urlsafe(24)
    verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
    with conn.transaction():
        conn.execute(
            sql.SQL("{} {} LOGIN PASSWORD {}").format(
                verb, sql.Identifier(role), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(STATION_GROUP), sql.Identifier(role))
        )
    logger.info("%s role %s", "rotated" if exists else "created", role)
    return StationLogin(station_id, role, password)
