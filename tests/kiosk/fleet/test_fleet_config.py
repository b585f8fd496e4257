"""The [fleet] settings: a password typed into the database URL is refused and never repeated."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from kiosk.config.errors import ConfigError
from kiosk.config.loader import load_config
from kiosk.config.schema import FleetConfig

SECRET = "Sup3rSecretPw"


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://backstep_a:{SECRET}@gym-server/backstep",
        f"postgresql://backstep_a@gym-server/backstep?password={SECRET}&sslmode=require",
    ],
)
def test_an_inline_password_is_refused_without_echoing_it(tmp_path: Path, url: str) -> None:
    toml = tmp_path / "backstep.toml"
    toml.write_text(f'[fleet]\ndatabase = "{url}"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(toml)
    assert "must not contain a password" in str(refused.value)
    assert SECRET not in str(refused.value)
    with pytest.raises(ValidationError) as invalid:
        FleetConfig(database=url)
    assert SECRET not in str(invalid.value)
    from kiosk.cli import main

    out = CliRunner().invoke(main, ["config", "check", str(toml)])
    assert out.exit_code != 0 and "password" in out.output and SECRET not in out.output
