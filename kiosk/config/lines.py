"""Where each key of a TOML text is (tomllib reports no key positions): key -> line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.config.problems import Loc

# tomllib reports no positions for keys, so errors are placed by scanning the text for table
# headers and `key =` lines. Only what staff write is handled: [tables], [[arrays of tables]],
# dotted and quoted keys; values spanning lines (arrays, multi-line strings) are skipped over.
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_ARRAY_TABLE_RE = re.compile(rf"^\s*\[\[\s*({_KEY})\s*\]\]")
_TABLE_RE = re.compile(rf"^\s*\[\s*({_KEY})\s*\]")
_KEYVAL_RE = re.compile(rf"^\s*({_KEY})\s*=")
_PART_RE = re.compile(rf"{_BARE}|{_QUOTED}")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(
        part[1:-1] if part[0] in "\"'" else part
        for part in (m.group(0) for m in _PART_RE.finditer(key))
    )


@dataclass
class _ValueScanner:
    """Tracks open brackets and multi-line strings so continuation lines are not read as keys."""

    depth: int = 0
    ml_quote: str | None = None

    @property
    def is_open(self) -> bool:
        return self.depth > 0 or self.ml_quote is not None

    def feed(self, text: str) -> None:
        i, n = 0, len(text)
        while i < n:
            if self.ml_quote is not None:
                end = text.find(self.ml_quote, i)
                if end < 0:
                    return
                self.ml_quote, i = None, end + 3
                continue
            ch = text[i]
            if ch == "#":
                return
            if text.startswith(('"""', "'''"), i):
                self.ml_quote, i = text[i : i + 3], i + 3
            elif ch in "\"'":
                i = _string_end(text, i)
            else:
                self.depth += ch in "[{"
                self.depth -= ch in "]}"
                i += 1


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\" and quote == '"':
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return i


def key_lines(text: str) -> dict[Loc, int]:
    """Map every key path the TOML text sets (array-of-tables entries by index) to its line."""
    lines: dict[Loc, int] = {}
    table: Loc = ()
    counts: dict[Loc, int] = {}
    scanner = _ValueScanner()
    for number, line in enumerate(text.splitlines(), start=1):
        if scanner.is_open:
            scanner.feed(line)
            continue
        if m := _ARRAY_TABLE_RE.match(line):
            path: Loc = _split_key(m.group(1))
            index = counts.get(path, 0)
            counts[path] = index + 1
            table = path = (*path, index)
        elif m := _TABLE_RE.match(line):
            table = path = _split_key(m.group(1))
        elif m := _KEYVAL_RE.match(line):
            scanner.feed(line[m.end() :])
            path = (*table, *_split_key(m.group(1)))
        else:
            continue
        for i in range(1, len(path) + 1):
            lines.setdefault(path[:i], number)
        lines[path] = number
    return lines


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, else of its nearest enclosing key or table that the text sets."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
