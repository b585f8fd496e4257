"""The [treadmill] and [heart_rate] sections: defaults off, bounds, and the documented block."""

from __future__ import annotations

import re
import tomllib

import pytest
from pydantic import ValidationError
from support.paths import ROOT

from hw.ble.settings import HeartRateConfig, TreadmillConfig


def test_both_are_off_by_default() -> None:
    assert TreadmillConfig().enabled is False
    assert HeartRateConfig().enabled is False


def test_enabled_needs_a_device() -> None:
    with pytest.raises(ValidationError, match=r"treadmill\.device"):
        TreadmillConfig(enabled=True)
    with pytest.raises(ValidationError, match=r"heart_rate\.device"):
        HeartRateConfig(enabled=True, device="")


def test_an_address_is_upper_cased_and_a_name_kept() -> None:
    assert TreadmillConfig(device=" aa:bb:cc:dd:ee:0f ").device == "AA:BB:CC:DD:EE:0F"
    assert TreadmillConfig(device="Woodway 4Front").device == "Woodway 4Front"


def test_heart_rate_from_the_treadmill() -> None:
    assert HeartRateConfig(enabled=True, device="Treadmill").from_treadmill
    assert not HeartRateConfig(enabled=True, device="Polar H10 A1B2C3D4").from_treadmill


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (TreadmillConfig, {"units": "m/s"}),
        (TreadmillConfig, {"connect_timeout_s": 1}),
        (TreadmillConfig, {"reconnect_max_s": 301}),
        (TreadmillConfig, {"speed": 3}),  # unknown keys are refused (extra="forbid")
        (HeartRateConfig, {"device": "x" * 65}),
    ],
)
def test_out_of_bounds_values_are_refused(
    model: type[TreadmillConfig | HeartRateConfig], values: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        model(**values)


def test_every_field_has_a_description() -> None:
    for model in (TreadmillConfig, HeartRateConfig):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_the_staff_file_block_in_the_docs_validates_and_lists_every_key() -> None:
    text = (ROOT / "docs" / "treadmill.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block is not None
    parsed = tomllib.loads(block.group(1))
    treadmill = TreadmillConfig(**parsed["treadmill"])
    heart_rate = HeartRateConfig(**parsed["heart_rate"])
    assert set(parsed["treadmill"]) == set(TreadmillConfig.model_fields)
    assert set(parsed["heart_rate"]) == set(HeartRateConfig.model_fields)
    assert treadmill == TreadmillConfig() and heart_rate == HeartRateConfig()
