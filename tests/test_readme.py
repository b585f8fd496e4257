"""The README and docs/ guides: every `backstep ...` and `make ...` they name exists, the README
opens with its two commands and stays a guide, and the walk-through works."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from support.paths import ROOT

from kiosk.cli import main

README = (ROOT / "README.md").read_text()
GUIDES = sorted((ROOT / "docs").glob("*.md"))
#: The README and every guide under docs/.
TEXTS = [README, *(path.read_text(encoding="utf-8") for path in GUIDES)]
#: Everything in single backticks, and the lines of ```sh blocks.
SNIPPETS = [snippet for text in TEXTS for snippet in re.findall(r"`([^`\n]+)`", text)] + [
    line.split("#", 1)[0].strip()
    for text in TEXTS
    for block in re.findall(r"```sh\n(.*?)```", text, re.S)
    for line in block.splitlines()
]
#: The README is a guide, not a notebook: operating guides and figures live in docs/.
README_MAX_LINES = 250


def backstep_commands() -> list[str]:
    found = []
    for snippet in SNIPPETS:
        snippet = re.sub(r"^sudo ", "", snippet.replace("\\|", "|"))
        if snippet.startswith("backstep ") and not snippet.startswith("backstep.toml"):
            found.append(snippet)
    return found


def resolve(words: list[str]) -> list[tuple[click.Command, list[str]]]:
    """The click command(s) for words like ["model", "fetch|info|path", "--offline"]."""
    ctx = click.Context(main)
    commands: list[tuple[click.Command, list[str]]] = []
    frontier: list[click.Command] = [main]
    rest = list(words)
    while rest and isinstance(frontier[0], click.Group) and not rest[0].startswith(("-", "[")):
        names = rest.pop(0).split("|")
        nxt = []
        for group in frontier:
            assert isinstance(group, click.Group)
            for name in names:
                if name.isupper() or name.endswith(".csv"):  # an argument like FILE.csv
                    nxt.append(group)
                    continue
                cmd = group.get_command(ctx, name)
                assert cmd is not None, f"README names `backstep ... {name}`, which does not exist"
                nxt.append(cmd)
        frontier = nxt
    for cmd in frontier:
        commands.append((cmd, rest))
    return commands


@pytest.mark.parametrize("command", backstep_commands())
def test_every_backstep_command_in_the_readme_exists(command: str) -> None:
    words = command.split()[1:]
    for cmd, rest in resolve(words):
        options = {opt for p in cmd.params for opt in getattr(p, "opts", [])}
        for word in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(rest)):
            assert word in options, f"`{command}`: {cmd.name} has no option {word}"


def test_every_make_target_in_the_readme_exists() -> None:
    targets = set(re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    named = {s.split()[1] for s in SNIPPETS if re.match(r"^make [a-z]", s)}
    assert named and named <= targets, named - targets


def test_the_scripts_the_readme_names_exist() -> None:
    for text in TEXTS:
        for path in set(re.findall(r"\b(systemd/[\w.-]+\.sh|requirements/[\w.-]+)", text)):
            assert (ROOT / path).exists(), path


def test_the_readme_opens_with_make_run_and_make_test() -> None:
    first = README.splitlines()[:6]
    assert any(line.startswith("make run ") for line in first), first
    assert any(line.startswith("make test ") for line in first), first


def test_the_readme_is_a_guide_of_at_most_250_lines() -> None:
    assert len(README.splitlines()) <= README_MAX_LINES


def test_every_guide_the_docs_link_to_exists() -> None:
    for text in TEXTS:
        for target in re.findall(r"\]\(((?:docs/)?[\w.-]+\.md)(?:#[\w-]+)?\)", text):
            path = ROOT / target if target.startswith("docs/") else ROOT / "docs" / target
            assert path.exists(), target
    assert {"benchmarks.md", "pi-setup.md", "fleet.md"} <= {p.name for p in GUIDES}


def test_history_stays_in_the_commits_not_in_the_docs() -> None:
    for text in TEXTS:
        assert not re.search(r"(?i)before this (round|work)|until this round", text)


def walkthrough() -> list[str]:
    [line] = [s for s in backstep_commands() if s.startswith("backstep run") and '--press "' in s]
    return shlex.split(line)[1:]


@pytest.mark.slow
def test_the_walkthrough_ends_in_a_running_session(tmp_path: Path) -> None:
    args = [str(tmp_path / "out") if a == "out/" else a for a in walkthrough()]
    assert "--seconds" in args and "--headless" in args
    config = tmp_path / "backstep.toml"  # a fresh station: its own data directory
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[cues]\nsound = false\n')
    done = subprocess.run(
        [sys.executable, "-c", "from kiosk.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "BACKSTEP_CONFIG": str(config),
             "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"},
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    # The README promises idle -> check-in (guest) -> position -> baseline -> session, and the
    # session still running at the end (a START after it would pause it).
    assert summary["states_seen"] == ["idle", "checkin", "position", "baseline", "session"]
    shots = sorted((tmp_path / "out").glob("t*.png"))
    assert shots and shots[-1].stem.endswith("_session")
