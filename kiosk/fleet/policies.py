"""What a station's login may write, enforced by the central database itself (schema step 3).

Schema step 2 kept sessions and check-ins to the station's own name. This step closes the
rest of what a station login could reach (README "Fleet", docs/fleet-security.md):

- samples and events only into the station's own sessions (a statement trigger: PostgreSQL
  refuses COPY into a table with row-level security, so RLS is not an option there);
- a baseline only in the station's own name, and never captured in the future: a capture
  more than :data:`CLOCK_SKEW` ahead of the server's clock is refused, a smaller lead is
  clamped to the server's ``now()``, so a station clock that runs ahead cannot win;
- the ``stations`` row only its own;
- member IDs and names checked (length, no control or formatting characters: a name is
  shown on every station's screen and terminal).

The checks apply to station logins (direct members of ``backstep_station``); the owner and
the manager group are not limited by them. ``NOT VALID`` keeps a server with older bad rows
migratable; new and changed rows are checked.
"""

from __future__ import annotations

#: How far ahead of the server a station's capture time may be before it is refused.
CLOCK_SKEW = "5 minutes"

#: Characters a member name may not hold: C0/C1 controls (terminal escapes), zero-width and
#: bidirectional formatting, line/paragraph separators, the BOM.
_BAD_NAME_CHARS = r"[\x01-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"

STATION_LIMITS_SQL = f"""
CREATE FUNCTION backstep_is_station_login() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT EXISTS (
        SELECT 1 FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles u ON u.oid = m.member
        WHERE g.rolname = 'backstep_station' AND u.rolname = current_user) $$;

-- samples and events: every new row belongs to one of this station's sessions
CREATE FUNCTION backstep_rows_in_own_sessions() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        foreign_session uuid;
    BEGIN
        IF NOT backstep_is_station_login() THEN
            RETURN NULL;
        END IF;
        -- one COPY holds one session's rows: look each session up once, not each row
        SELECT u.session_uuid INTO foreign_session
            FROM (SELECT DISTINCT session_uuid FROM new_rows) u
            LEFT JOIN sessions s ON s.uuid = u.session_uuid
            WHERE s.uuid IS NULL OR NOT backstep_is_own_station(s.station_id)
            LIMIT 1;
        IF foreign_session IS NOT NULL THEN
            RAISE EXCEPTION 'session % is not this station''s: % refused', foreign_session,
                TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
    END $$;
CREATE TRIGGER samples_in_own_sessions AFTER INSERT ON samples
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION backstep_rows_in_own_sessions();
CREATE TRIGGER events_in_own_sessions AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION backstep_rows_in_own_sessions();

-- baselines: the server's clock decides (a far-future capture is refused, a near one clamped)
CREATE FUNCTION backstep_baseline_clock() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF NEW.captured > now() + interval '{CLOCK_SKEW}' THEN
            RAISE EXCEPTION 'baseline of member % captured % is in the future (server time %):'
                ' is the station clock right?', NEW.member_id, NEW.captured, now()
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.captured := LEAST(NEW.captured, now());
        RETURN NEW;
    END $$;
CREATE TRIGGER baselines_server_clock BEFORE INSERT OR UPDATE ON baselines
    FOR EACH ROW EXECUTE FUNCTION backstep_baseline_clock();
ALTER TABLE baselines ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON baselines FOR SELECT USING (true);
CREATE POLICY manager_deletes ON baselines FOR DELETE USING (true);
CREATE POLICY station_inserts ON baselines FOR INSERT
    WITH CHECK (NOT backstep_is_station_login() OR backstep_is_own_station(station_id));
-- a newer capture at any station replaces the baseline, in that station's name only
CREATE POLICY station_updates ON baselines FOR UPDATE USING (true)
    WITH CHECK (NOT backstep_is_station_login() OR backstep_is_own_station(station_id));

-- stations: each login keeps only its own row
ALTER TABLE stations ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone_reads ON stations FOR SELECT USING (true);
CREATE POLICY station_inserts ON stations FOR INSERT
    WITH CHECK (NOT backstep_is_station_login() OR backstep_is_own_station(id));
CREATE POLICY station_updates ON stations FOR UPDATE
    USING (NOT backstep_is_station_login() OR backstep_is_own_station(id))
    WITH CHECK (NOT backstep_is_station_login() OR backstep_is_own_station(id));

-- members: the rules of kiosk.members.roster (ID pattern, name length, no control characters)
ALTER TABLE members ADD CONSTRAINT members_id_ok
    CHECK (id ~ '^[A-Za-z0-9_.-]{{1,40}}$') NOT VALID;
ALTER TABLE members ADD CONSTRAINT members_name_ok
    CHECK (char_length(name) BETWEEN 1 AND 80 AND name !~ '{_BAD_NAME_CHARS}') NOT VALID;
"""
