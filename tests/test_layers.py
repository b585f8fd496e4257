"""The import graph follows the layer order: no cycles, and no room imports a room above it."""

from __future__ import annotations

import ast
import builtins
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

#: The rooms, top layer first. A room imports only rooms in layers BELOW its own (never its
#: own layer's neighbours): the CLI starts the programs, the programs use the kiosk's parts,
#: and everything rests on ``vision``. ``fleet`` sits under ``members`` (check-in asks the
#: server) and over ``store`` (it syncs the store's rows); the dashboard is a program of its
#: own beside the kiosk, reading the store, the fleet and the session's progression. A new
#: room fails `test_every_room_has_a_place_in_the_order` until it is placed here (and in
#: docs/architecture.md).
LAYERS: list[tuple[str, ...]] = [
    ("kiosk.cli",),
    ("kiosk.app", "kiosk.doctor", "dashboard"),
    ("kiosk.ui",),
    ("kiosk.session",),
    ("kiosk.members",),
    ("kiosk.fleet", "kiosk.deploy"),
    ("kiosk.store", "kiosk.vision_link"),
    ("kiosk.config", "kiosk.flow"),
    ("kiosk", "hw"),  # ``kiosk``: the error root and the domain words (kiosk/*.py)
    ("vision",),
]


def _graph() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "import_graph", ROOT / "tools" / "import_graph.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module  # dataclasses look the module up while it loads
    spec.loader.exec_module(module)
    return module


graph = _graph()


def layer_of(room: str) -> int:
    """The room's layer (0 is the top)."""
    return next(i for i, layer in enumerate(LAYERS) if room in layer)


def wrong_way(root: Path = ROOT) -> list[str]:
    """Every import against the order, as ``module:line -> module (room layer -> layer)``."""
    out = []
    for (a, b), imports in sorted(graph.room_edges(graph.read_imports(root)).items()):
        if layer_of(a) >= layer_of(b):
            for imp in imports:
                out.append(f"{imp.source}:{imp.line} -> {imp.target} ({a} may not import {b})")
    return out


def test_every_room_has_a_place_in_the_order() -> None:
    rooms = {graph.room_of(m) for m in graph.project_modules()}
    placed = [room for layer in LAYERS for room in layer]
    assert len(placed) == len(set(placed)), "a room is placed twice"
    assert rooms - set(placed) == set(), "new rooms: place them in LAYERS"
    assert set(placed) - rooms == set(), "LAYERS names rooms that no longer exist"


def test_no_room_imports_a_room_at_or_above_its_layer() -> None:
    assert wrong_way() == []


def test_no_import_cycles_between_rooms_or_modules() -> None:
    imports = graph.read_imports()
    assert graph.find_cycles(graph.room_edges(imports)) == []
    assert graph.find_cycles({(i.source, i.target) for i in imports}) == []


def test_the_flow_is_pure() -> None:
    # the screen flow decides from facts handed to it: no vision service, store or screen
    edges = graph.room_edges(graph.read_imports())
    assert sorted(b for a, b in edges if a == "kiosk.flow") == ["kiosk"]


def test_function_level_and_type_checking_imports_count(tmp_path: Path) -> None:
    # a bad import hidden in a function is still a bad import (a copy of the tree, one line
    # added: the store must never reach up into the running app)
    for package in graph.PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            target = tmp_path / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "kiosk" / "store" / "retention.py"
    bad.write_text(
        bad.read_text(encoding="utf-8") + "\n\ndef f():\n    from kiosk.app import loop\n",
        encoding="utf-8",
    )
    found = wrong_way(tmp_path)
    assert found and all("kiosk.store.retention" in line for line in found)


def test_the_committed_drawings_are_the_graph_of_today() -> None:
    for name, dot in graph.drawings(LAYERS).items():
        committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert committed == dot, f"docs/{name} is stale: run python tools/import_graph.py"


def test_the_session_outcomes_are_spelled_once() -> None:
    # kiosk/domain.py names them; the schema's CHECK constraints (CREATE TABLE) are history
    words = ("completed", "stopped", "interrupted")
    found = []
    for module, path in graph.project_modules().items():
        if module == "kiosk.domain" or not module.startswith(("kiosk", "dashboard")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if "CREATE TABLE" in text:
                continue
            if text in words or any(f"'{w}'" in text for w in words):
                found.append(f"{module}:{node.lineno}")
    assert found == []


def _named_threads() -> list[tuple[str, int, str | None]]:
    """(file, line, name or None when not a literal) of every thread the code makes."""
    out = []
    for package in graph.PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called not in ("Thread", "WorkerThread"):
                    continue
                rel = str(path.relative_to(ROOT))
                if called == "Thread":
                    out.append((rel, node.lineno, "threading.Thread"))
                    continue
                arg = node.args[1] if len(node.args) > 1 else None
                for kw in node.keywords:
                    if kw.arg == "name":
                        arg = kw.value
                name = None
                if isinstance(arg, ast.Constant):
                    name = str(arg.value)
                elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                    name = str(arg.values[0].value)
                out.append((rel, node.lineno, name))
    return out


def test_every_thread_is_a_worker_thread_named_backstep() -> None:
    threads = _named_threads()
    # the one place a thread is made: the worker base (a name, a stop event, a bounded join)
    assert [f for f, _, name in threads if name == "threading.Thread"] == ["vision/threads.py"]
    named = [(f, line, name) for f, line, name in threads if name != "threading.Thread"]
    assert len(named) >= 10
    assert [t for t in named if not (t[2] or "").startswith("backstep-")] == []


def _exception_classes() -> dict[str, tuple[str, list[str]]]:
    """Every exception class defined in the packages: name -> (module, base names)."""
    classes: dict[str, tuple[str, list[str]]] = {}
    for module, path in graph.project_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                ]
                classes[node.name] = (module, bases)
    exceptions: dict[str, tuple[str, list[str]]] = {}
    builtin = set(dir(builtins))
    grew = True
    while grew:
        grew = False
        for name, (module, bases) in classes.items():
            if name in exceptions:
                continue
            if any(
                b in exceptions or (b in builtin and b.endswith(("Error", "Exception")))
                for b in bases
            ):
                exceptions[name] = (module, bases)
                grew = True
    return exceptions


def test_every_error_lives_in_its_areas_errors_module_under_one_root() -> None:
    exceptions = _exception_classes()
    assert "BackstepError" in exceptions and len(exceptions) >= 15
    misplaced = {n: m for n, (m, _) in exceptions.items() if not m.endswith(".errors")}
    assert misplaced == {}

    def rooted(name: str) -> bool:
        return name == "BackstepError" or any(
            rooted(b) for b in exceptions.get(name, ("", []))[1] if b in exceptions
        )

    assert [n for n in exceptions if not rooted(n)] == []
