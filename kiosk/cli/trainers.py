"""``backstep trainers``: the dashboard's trainer accounts (add, list, password, remove)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from dashboard.accounts import MAX_PASSWORD, Accounts, accounts_path
from kiosk.cli.options import config_option
from kiosk.config.loader import load_config
from kiosk.errors import BackstepError


def _accounts(config_path: Path | None) -> Accounts:

    try:
        return Accounts(accounts_path(load_config(config_path).storage))
    except (BackstepError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def trainers() -> None:
    """Manage who may log in to the dashboard (trainers only read)."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # bounded read: a password over the limit is refused, never held whole in memory
        password = sys.stdin.readline(MAX_PASSWORD + 2).rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) > MAX_PASSWORD:
        raise click.ClickException(f"the password may have at most {MAX_PASSWORD} characters")
    return password


_STDIN_HELP = "Read the password from standard input (one line), e.g. from a password manager."


@trainers.command("add")
@click.argument("name")
@click.option("--password-stdin", "from_stdin", is_flag=True, help=_STDIN_HELP)
@config_option
def add(name: str, from_stdin: bool, config_path: Path | None) -> None:
    """Add trainer NAME; the password is asked for (never given on the command line)."""
    password = _read_password(from_stdin)
    accounts = _accounts(config_path)
    try:
        accounts.add(name, password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        accounts.close()
    click.echo(f"trainer {name} added")


@trainers.command("password")
@click.argument("name")
@click.option("--password-stdin", "from_stdin", is_flag=True, help=_STDIN_HELP)
@config_option
def password(name: str, from_stdin: bool, config_path: Path | None) -> None:
    """Give trainer NAME a new password; their open logins end at once."""
    new = _read_password(from_stdin)
    accounts = _accounts(config_path)
    try:
        accounts.set_password(name, new)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        accounts.close()
    click.echo(f"trainer {name}: password changed, logins ended")


@trainers.command("list")
@config_option
def list_(config_path: Path | None) -> None:
    """List the trainer accounts."""
    accounts = _accounts(config_path)
    try:
        for t in accounts.list():
            created = dt.datetime.fromtimestamp(t.created).strftime("%Y-%m-%d")
            click.echo(f"{t.name}\t{t.role}\t{created}")
    finally:
        accounts.close()


@trainers.command("remove")
@click.argument("name")
@config_option
def remove(name: str, config_path: Path | None) -> None:
    """Remove trainer NAME (their open logins stop working at once)."""
    accounts = _accounts(config_path)
    try:
        if not accounts.remove(name):
            raise click.ClickException(f"no trainer {name!r}")
    finally:
        accounts.close()
    click.echo(f"trainer {name} removed")
