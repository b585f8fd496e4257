"""The project's import graph, read from the source (ast), by module and by room; its drawing.

A room is a top-level package (``vision``, ``hw``, ``dashboard``) or, inside ``kiosk``, a
sub-package (``kiosk.app``, ``kiosk.store`` ...); the modules directly in ``kiosk`` (its
error root and domain words) are the room ``kiosk``. Every import counts: at module level,
inside functions, and under ``TYPE_CHECKING``. ``tests/test_layers.py`` checks this graph
against the layer order; ``python tools/import_graph.py`` rewrites ``docs/import-graph.*``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("vision", "hw", "kiosk", "dashboard")


@dataclass(frozen=True, slots=True)
class Import:
    """One import: ``source`` module imports ``target`` module at ``line``."""

    source: str
    target: str
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    """``kiosk/app/loop.py`` -> ``kiosk.app.loop`` (a package's ``__init__`` is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the four packages, by dotted name."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies in (None outside the project)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def read_imports(root: Path = ROOT) -> list[Import]:
    """Every project-internal import of every project module."""
    known = project_modules(root)
    out: list[Import] = []
    for source, path in known.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = source.split(".")
                    if not is_package:
                        anchor = anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import module`` imports the module; ``from mod import name`` the module
                names = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for name in names:
                target = _resolve(name, known)
                if target is not None and target != source:
                    out.append(Import(source, target, node.lineno))
    return out


def room_of(module: str) -> str:
    """The room a module lives in (see the module docstring)."""
    parts = module.split(".")
    if parts[0] != "kiosk" or len(parts) == 1:
        return parts[0]
    sub = ".".join(parts[:2])
    return sub if (ROOT / "kiosk" / parts[1]).is_dir() else "kiosk"


def room_edges(imports: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    """Imports between different rooms, grouped by (importer's room, imported room)."""
    edges: dict[tuple[str, str], list[Import]] = {}
    for imp in imports:
        a, b = room_of(imp.source), room_of(imp.target)
        if a != b:
            edges.setdefault((a, b), []).append(imp)
    return edges


def find_cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (each one holds a cycle)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graphs here are a few hundred nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def to_dot(edges: Iterable[tuple[str, str]], layers: list[tuple[str, ...]]) -> str:
    """A Graphviz drawing of the rooms, one rank per layer (top layer first)."""
    lines = [
        "// generated by tools/import_graph.py from the source; do not edit",
        "digraph backstep {",
        '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555", arrowsize=0.6];',
    ]
    for i, layer in enumerate(layers):
        names = " ".join(f'"{room}"' for room in layer)
        lines.append(f"  {{ rank=same; {names} }}  // layer {i}")
    for a, b in sorted(set(edges)):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def app_edges(imports: Iterable[Import], room: str = "kiosk.app") -> set[tuple[str, str]]:
    """Imports between the modules of one room (the station and its parts, for kiosk.app)."""
    short = len(room) + 1
    return {
        (i.source[short:], i.target[short:])
        for i in imports
        if room_of(i.source) == room and room_of(i.target) == room
    }


def parts_dot(edges: Iterable[tuple[str, str]]) -> str:
    """A Graphviz drawing of the running kiosk's modules: who uses whom inside kiosk/app."""
    lines = [
        "// generated by tools/import_graph.py from the source; do not edit",
        "digraph station {",
        '  rankdir=TB; node [shape=box, fontname="Helvetica", fontsize=11];',
        '  edge [color="#555555", arrowsize=0.6];',
        '  "station" [style=filled, fillcolor="#ffe9a8"];',
    ]
    for a, b in sorted(set(edges)):
        lines.append(f'  "{a}" -> "{b}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(edges: Iterable[tuple[str, str]]) -> str:
    """The same drawing as Mermaid text (GitHub renders it in Markdown)."""
    ids = {}
    lines = ["flowchart TD"]
    for a, b in sorted(set(edges)):
        for room in (a, b):
            if room not in ids:
                ids[room] = room.replace(".", "_")
                lines.append(f'  {ids[room]}["{room}"]')
        lines.append(f"  {ids[a]} --> {ids[b]}")
    return "\n".join(lines) + "\n"


def _svg(dot: str) -> str | None:
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
    except FileNotFoundError:
        return None
    return done.stdout if done.returncode == 0 else None


def drawings(layers: list[tuple[str, ...]], root: Path = ROOT) -> dict[str, str]:
    """The committed drawings' text by file name under docs/ (the test compares them)."""
    imports = read_imports(root)
    return {
        "import-graph.dot": to_dot(room_edges(imports), layers),
        "station-graph.dot": parts_dot(app_edges(imports)),
    }


def main() -> None:
    """Rewrite ``docs/*-graph.dot`` (and ``.svg`` when Graphviz's ``dot`` is installed)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_layers import LAYERS  # the order lives with the test that enforces it

    for name, dot in drawings(LAYERS).items():
        (ROOT / "docs" / name).write_text(dot, encoding="utf-8")
        svg = _svg(dot)
        if svg is None:
            print(f"wrote docs/{name} (no SVG: install graphviz for `dot`)")
            continue
        (ROOT / "docs" / name).with_suffix(".svg").write_text(svg, encoding="utf-8")
        print(f"wrote docs/{name} and its .svg")


if __name__ == "__main__":
    main()
