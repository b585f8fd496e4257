"""``vision.pose_workers``: "auto" = usable cores - 1 (at least 1), or a fixed count."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kiosk.config.schema import BackstepConfig
from vision.settings import InferenceConfig


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (4, 3), (8, 7)])
def test_auto_leaves_a_core_for_the_screen(cores: int, workers: int) -> None:
    assert InferenceConfig().workers(cores) == workers


def test_a_number_is_taken_as_it_is() -> None:
    assert InferenceConfig(pose_workers=3).workers(2) == 3


@pytest.mark.parametrize("bad", [0, 9, "many"])
def test_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        InferenceConfig(pose_workers=bad)  # type: ignore[arg-type]


def test_the_staff_file_section_is_vision() -> None:
    assert BackstepConfig().vision.pose_workers == "auto"
    assert BackstepConfig.model_validate({"vision": {"pose_workers": 2}}).vision.workers() == 2
