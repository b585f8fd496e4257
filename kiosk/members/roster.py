"""Members: the CSV import staff use, ID rules, and each member's stored baseline."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.members.errors import ImportFileError
from kiosk.store.database import Member, Store, StoredBaseline

logger = logging.getLogger(__name__)

__all__ = [
    "Member",
    "fresh_baseline",
    "import_members_csv",
    "normalize_id",
    "parse_members_csv",
    "read_members_csv",
    "validate_member",
]

#: IDs are what a card reader or QR code carries: letters, digits, '-', '_', '.'.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_NAME = 80
MAX_LEVEL = 10

# Header names staff may use for each column (case-insensitive).
_COLUMNS = {
    "id": ("id", "member_id", "member id"),
    "name": ("name", "member_name"),
    "expires": ("expires", "expiry", "membership_expiry", "membership expiry", "expiry_date"),
    "level": ("level",),
    "birth_year": ("birth_year", "birth year", "year of birth", "born"),
}
#: A birth year must give an age in this range (a typo is refused, not turned into zones).
AGE_RANGE = (10, 110)


def normalize_id(raw: str) -> str:
    """An ID as typed, scanned or entered, without surrounding whitespace."""
    return raw.strip()


def control_chars(text: str) -> list[str]:
    """The control and formatting characters in ``text`` (NUL, ESC of ANSI colours, bidi ...)."""
    return [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]


def shown(text: str, limit: int = 24) -> str:
    """``text`` safe to echo: control characters escaped, long input cut with its length."""
    safe = text.encode("unicode_escape").decode("ascii") if control_chars(text) else text
    if len(safe) > limit:
        return f"{safe[:limit]!r}… ({len(text)} characters)"
    return repr(safe)


def validate_member(
    member_id: str,
    name: str,
    expires: str | dt.date,
    level: str | int | None,
    birth_year: str | int | None = None,
    today: dt.date | None = None,
) -> tuple[Member | None, list[str]]:
    """Check one member's fields; return the member or the reasons it is invalid."""
    problems: list[str] = []
    member_id = normalize_id(member_id)
    if not member_id:
        problems.append("id is empty")
    elif not ID_PATTERN.match(member_id):
        problems.append(
            f"id {shown(member_id)} may only hold letters, digits, '-', '_' and '.' (max 40)"
        )
    name = name.strip()
    if not name:
        problems.append("name is empty")
    elif len(name) > MAX_NAME:
        problems.append(f"name is longer than {MAX_NAME} characters ({len(name)})")
    elif control_chars(name):
        # a NUL byte breaks drawing the name; ANSI escapes would colour `members list`
        problems.append(f"name {shown(name)} holds control characters")
    expiry: dt.date | None = None
    if isinstance(expires, dt.date):
        expiry = expires
    else:
        try:
            expiry = dt.date.fromisoformat(expires.strip())
        except ValueError:
            problems.append(
                f"membership expiry {expires.strip()!r} is not an ISO date (YYYY-MM-DD)"
            )
    lvl: int | None = None
    if level is not None and str(level).strip():
        try:
            lvl = int(str(level).strip())
        except ValueError:
            problems.append(f"level {str(level).strip()!r} is not a whole number")
        else:
            if not 1 <= lvl <= MAX_LEVEL:
                problems.append(f"level {lvl} is outside 1-{MAX_LEVEL}")
    born, why = check_birth_year(birth_year, today or dt.date.today())
    if why:
        problems.append(why)
    if problems or expiry is None:
        return None, problems
    return Member(member_id, name, expiry, lvl, born), []


def check_birth_year(value: str | int | None, today: dt.date) -> tuple[int | None, str]:
    """An optional birth year (empty: unknown); the year or the reason it is refused."""
    if value is None or not str(value).strip():
        return None, ""
    text = str(value).strip()
    try:
        year = int(text)
    except ValueError:
        return None, f"birth year {text!r} is not a year (e.g. 1970)"
    young, old = AGE_RANGE
    if not today.year - old <= year <= today.year - young:
        first, last = today.year - old, today.year - young
        return None, f"birth year {year} is outside {first}-{last} (ages {young}-{old})"
    return year, ""


def parse_members_csv(text: str) -> list[Member]:
    """Parse a members CSV (header row: id, name, expires[, level][, birth_year]).

    Raises :class:`ImportFileError` listing EVERY bad line with its reason; line numbers
    are those a spreadsheet shows (the header is line 1).
    """
    problems: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a BOM
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("the file is empty", [(1, "no header row")]) from None
    index = _header_index(header)
    missing = [c for c in ("id", "name", "expires") if c not in index]
    if missing:
        found = ", ".join(h.strip() for h in header) or "nothing"
        raise ImportFileError(
            f"line 1: missing column(s) {', '.join(missing)} (found: {found})",
            [(1, f"missing column(s) {', '.join(missing)}")],
        )
    members: list[Member] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines are harmless
        if len(row) > len(header):
            problems.append((line, f"{len(row)} fields, the header has {len(header)}"))
            continue

        def cell(col: str, row: list[str] = row) -> str:
            i = index.get(col)
            return row[i] if i is not None and i < len(row) else ""

        member, reasons = validate_member(
            cell("id"), cell("name"), cell("expires"), cell("level") or None, cell("birth_year")
        )
        if member is not None and member.id in first_line:
            reasons = [f"id {member.id!r} already on line {first_line[member.id]}"]
        if reasons:
            problems.append((line, "; ".join(reasons)))
            continue
        assert member is not None
        first_line[member.id] = line
        members.append(member)
    if problems:
        lines = "\n".join(f"line {n}: {why}" for n, why in problems)
        raise ImportFileError(f"{len(problems)} bad line(s), nothing imported:\n{lines}", problems)
    return members


def _header_index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.strip().lower()
        for col, aliases in _COLUMNS.items():
            if key in aliases and col not in index:
                index[col] = i
    return index


def read_members_csv(path: Path | str) -> list[Member]:
    """Read and check a members CSV file; :class:`ImportFileError` lists every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text: save it as 'CSV UTF-8'") from exc
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_members_csv(text)


def import_members_csv(
    store: Store,
    path: Path | str,
    progress: Callable[[int], Callable[[], object]] | None = None,
) -> tuple[int, int]:
    """Import (add or update) members from a CSV file in one transaction; (added, updated).

    A malformed file raises :class:`ImportFileError` before anything is written.
    ``progress(total)`` returns a function called once per member written (a progress bar).
    """
    members = read_members_csv(path)
    tick = progress(len(members)) if progress else None
    added, updated = store.upsert_members(members, tick=tick)
    logger.info("imported %s: %d added, %d updated", path, added, updated)
    return added, updated


def fresh_baseline(
    stored: StoredBaseline | None, now: float, max_age_days: float
) -> dict[str, Any] | None:
    """The stored baseline's data if it is recent enough to use, else None (re-capture)."""
    if stored is None or stored.is_stale(now, max_age_days):
        return None
    return stored.data
