"""The ``backstep`` command: a click group whose subcommands load lazily.

Lazy loading keeps ``backstep --help`` and ``backstep config check`` fast on a Pi: only the
command that runs imports MediaPipe, OpenCV or pygame.
"""

from __future__ import annotations

import importlib
import logging
import os

import click

from kiosk import __version__

# pygame prints a banner to stdout on import, before `backstep run`'s JSON line and into the
# journal; this is pygame's own switch for it (read at import, so set before any subcommand).
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

#: subcommand name -> "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "run": "kiosk.cli.run:run",
    "analyze": "kiosk.cli.analyze:analyze",
    "bench": "kiosk.cli.bench:bench",
    "model": "kiosk.cli.model:model",
    "config": "kiosk.cli.config:config",
    "members": "kiosk.cli.members:members",
    "export": "kiosk.cli.export:export",
    "doctor": "kiosk.cli.doctor:doctor",
    "dashboard": "kiosk.cli.dashboard:dashboard",
    "trainers": "kiosk.cli.trainers:trainers",
    "fleet": "kiosk.cli.fleet:fleet",
    "restore": "kiosk.cli.restore:restore",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="backstep")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Backstep: a kiosk that coaches backward treadmill walking."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
