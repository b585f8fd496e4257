"""Pose model provisioning: resolution order, verification, damaged files, the CLI."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from vision.errors import ModelError, VisionError
from vision.pose import model as model_mod
from vision.pose.model import (
    cache_dir,
    cached_model_path,
    describe_model,
    ensure_model,
    find_model,
    is_verified,
    read_sidecar,
    resolve_model,
    verify_model,
)
from vision.pose.model_bundle import (
    DETECTOR_MEMBER,
    LANDMARKER_MEMBER,
    write_bundle,
)
from vision.settings import ModelConfig


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(src.read_bytes())
    return dest


def _truncated(good: Path, dest: Path) -> Path:
    data = good.read_bytes()
    dest.write_bytes(data[: len(data) // 2])
    return dest


# --- errors ---------------------------------------------------------------------------------


def test_model_error_is_a_vision_error_and_a_runtime_error() -> None:
    assert issubclass(ModelError, VisionError)
    assert issubclass(ModelError, RuntimeError)


# --- verification of good and damaged files -------------------------------------------------


def test_the_provisioned_model_is_a_stored_zip_with_both_members(good_model: Path) -> None:
    with zipfile.ZipFile(good_model) as zf:
        infos = {info.filename: info for info in zf.infolist()}
    assert set(infos) == {DETECTOR_MEMBER, LANDMARKER_MEMBER}
    assert all(info.compress_type == zipfile.ZIP_STORED for info in infos.values())
    assert is_verified(good_model)


def test_truncated_model_is_refused_with_fetch_advice(good_model: Path, tmp_path: Path) -> None:
    bad = _truncated(good_model, tmp_path / "pose_landmarker_full.task")
    with pytest.raises(ModelError, match=r"is truncated \(not a complete zip\)") as err:
        verify_model(bad)
    assert str(bad) in str(err.value)
    assert "backstep model fetch" in str(err.value)
    assert "\n" not in str(err.value)


def test_compressed_zip_is_refused(good_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "deflated.task"
    with zipfile.ZipFile(bad, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in _members(good_model).items():
            zf.writestr(name, data)
    with pytest.raises(ModelError, match="is a compressed zip"):
        verify_model(bad)


def test_random_bytes_are_not_a_task_bundle(tmp_path: Path) -> None:
    bad = tmp_path / "noise.task"
    bad.write_bytes(random.Random(7).randbytes(65536))
    with pytest.raises(ModelError, match=r"is not a \.task bundle \(not a zip file\)"):
        verify_model(bad)


def test_zip_missing_the_landmark_model_is_refused(good_model: Path, tmp_path: Path) -> None:
    bad = tmp_path / "half.task"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(DETECTOR_MEMBER, _members(good_model)[DETECTOR_MEMBER])
    with pytest.raises(ModelError, match=f"has no {LANDMARKER_MEMBER}"):
        verify_model(bad)


def test_bundle_of_non_tflite_data_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.task"
    write_bundle({DETECTOR_MEMBER: b"x" * 4096, LANDMARKER_MEMBER: b"y" * 4096}, bad)
    with pytest.raises(ModelError, match="does not load in MediaPipe"):
        verify_model(bad)
    assert not is_verified(bad)


def test_bundle_with_swapped_models_fails_on_the_demo_clip(
    good_model: Path, tmp_path: Path
) -> None:
    members = _members(good_model)
    bad = tmp_path / "swapped.task"
    write_bundle(
        {DETECTOR_MEMBER: members[LANDMARKER_MEMBER], LANDMARKER_MEMBER: members[DETECTOR_MEMBER]},
        bad,
    )
    with pytest.raises(ModelError, match="fails on the demo clip"):
        verify_model(bad)


def test_missing_file_says_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist: run `backstep model fetch`"):
        verify_model(tmp_path / "nope.task")


def test_a_changed_file_is_no_longer_verified(good_model: Path, tmp_path: Path) -> None:
    copy = _copy(good_model, tmp_path / "copy.task")
    assert is_verified(copy)
    copy.write_bytes(copy.read_bytes()[:-100])
    assert not is_verified(copy)
    with pytest.raises(ModelError):
        verify_model(copy)


# --- resolution order -----------------------------------------------------------------------


def test_valid_model_in_config_path_resolves_to_that_path(good_model: Path, tmp_path: Path) -> None:
    mine = _copy(good_model, tmp_path / "staff" / "my_model.task")
    resolved = resolve_model(ModelConfig(path=mine))
    assert resolved.path == mine
    assert resolved.source == "config"
    assert ensure_model(ModelConfig(path=mine)) == mine


def test_missing_config_path_is_an_error_naming_it_not_a_fallback(
    good_model: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.task"
    with pytest.raises(ModelError) as err:
        ensure_model(ModelConfig(path=missing))
    message = str(err.value)
    assert str(missing) in message
    assert "model.path" in message


def test_damaged_config_path_is_an_error_naming_it(good_model: Path, tmp_path: Path) -> None:
    bad = _truncated(good_model, tmp_path / "staff.task")
    with pytest.raises(ModelError, match="truncated") as err:
        ensure_model(ModelConfig(path=bad))
    assert str(bad) in str(err.value)
    assert "fix model.path" in str(err.value)


def test_cache_dir_follows_backstep_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTEP_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    assert cached_model_path("lite") == tmp_path / "models" / "pose_landmarker_lite.task"


def test_default_cache_is_the_platform_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("BACKSTEP_CACHE_DIR", raising=False)
    assert cache_dir() == Path(platformdirs.user_cache_dir("backstep"))


def test_cached_model_is_used_without_rebuilding(good_model: Path, isolated_cache: Path) -> None:
    placed = _copy(good_model, cached_model_path("full"))
    resolved = resolve_model(ModelConfig())
    assert resolved.path == placed
    assert resolved.source == "cache"
    assert not (isolated_cache / "wheels").exists()  # nothing was downloaded


def test_empty_cache_without_fetch_says_what_to_do(isolated_cache: Path) -> None:
    with pytest.raises(ModelError, match=r"no pose model in the cache.*backstep model fetch"):
        find_model(ModelConfig())


def test_corrupt_cached_model_is_replaced_by_an_offline_build(
    good_model: Path, cached_wheel: Path, isolated_cache: Path
) -> None:
    wheels = isolated_cache / "wheels"
    wheels.mkdir(parents=True)
    (wheels / cached_wheel.name).symlink_to(cached_wheel)  # no second download
    cached_model_path("full").parent.mkdir(parents=True)
    target = _truncated(good_model, cached_model_path("full"))

    resolved = resolve_model(ModelConfig())  # official URL is refused -> offline build

    assert resolved.path == target
    assert resolved.source == "offline-build"
    assert verify_model(target) == describe_model(target).sha256  # passes the full check
    sidecar = read_sidecar(target)
    assert sidecar["source"] == "offline-build"
    assert sidecar["size"] == target.stat().st_size
    assert not list(target.parent.glob("*.part"))  # no temporary files left behind


def test_official_download_is_installed_and_recorded(
    good_model: Path,
    isolated_cache: Path,
    serve_bytes: Callable[[bytes], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = serve_bytes(good_model.read_bytes())
    monkeypatch.setattr(model_mod, "MODEL_URL_TEMPLATE", url)

    resolved = resolve_model(ModelConfig())

    assert resolved.source == "download"
    assert resolved.path.read_bytes() == good_model.read_bytes()
    assert read_sidecar(resolved.path)["origin"] == url.format(variant="full")
    info = describe_model(resolved.path)
    assert info.verified
    assert info.source.startswith("download")


def test_damaged_download_is_not_installed(
    good_model: Path,
    cached_wheel: Path,
    isolated_cache: Path,
    serve_bytes: Callable[[bytes], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        model_mod, "MODEL_URL_TEMPLATE", serve_bytes(good_model.read_bytes()[:50_000])
    )
    wheels = isolated_cache / "wheels"
    wheels.mkdir(parents=True)
    (wheels / cached_wheel.name).symlink_to(cached_wheel)

    resolved = resolve_model(ModelConfig())

    assert resolved.source == "offline-build"
    verify_model(resolved.path)


def test_lite_without_download_falls_back_to_full_with_a_note(
    good_model: Path, isolated_cache: Path
) -> None:
    full = _copy(good_model, cached_model_path("full"))
    resolved = resolve_model(ModelConfig(variant="lite"), offline=True)
    assert resolved.path == full
    assert resolved.variant == "full"
    assert resolved.note is not None and "lite" in resolved.note
    assert not cached_model_path("lite").exists()


# --- CLI ------------------------------------------------------------------------------------


def _config_file(tmp_path: Path, model_path: Path) -> Path:
    cfg = tmp_path / "backstep.toml"
    cfg.write_text(f"[model]\npath = {json.dumps(str(model_path))}\n")
    return cfg


def test_cli_model_path_prints_only_the_configured_path(good_model: Path, tmp_path: Path) -> None:
    mine = _copy(good_model, tmp_path / "mine.task")
    result = CliRunner().invoke(
        main, ["model", "path", "--config", str(_config_file(tmp_path, mine))]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"{mine}\n"


def test_cli_model_path_fails_in_one_line_for_a_bad_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.task"
    result = CliRunner().invoke(
        main, ["model", "path", "--config", str(_config_file(tmp_path, missing))]
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert str(missing) in lines[0]


def test_cli_model_info_shows_sha_and_verification(good_model: Path, tmp_path: Path) -> None:
    mine = _copy(good_model, tmp_path / "pose_landmarker_full.task")
    result = CliRunner().invoke(
        main, ["model", "info", "--config", str(_config_file(tmp_path, mine))]
    )
    assert result.exit_code == 0, result.output
    assert f"sha256:   {describe_model(mine).sha256}" in result.output
    assert "variant:  full" in result.output
    assert "verified: yes" in result.output


def test_cli_model_fetch_reports_the_cache(good_model: Path, isolated_cache: Path) -> None:
    _copy(good_model, cached_model_path("full"))
    result = CliRunner().invoke(main, ["model", "fetch", "--offline"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        str(cached_model_path("full")),
        "from the user cache (full)",
    ]


def test_model_info_and_path_do_not_delete_a_damaged_cached_model(
    good_model: Path, isolated_cache: Path
) -> None:
    cached_model_path("full").parent.mkdir(parents=True)
    bad = _truncated(good_model, cached_model_path("full"))
    with pytest.raises(ModelError, match=r"truncated.*backstep model fetch"):
        find_model(ModelConfig())
    assert bad.exists()  # only `fetch`/ensure_model replace cache files


def test_cli_model_path_with_an_empty_cache_exits_1(isolated_cache: Path) -> None:
    result = CliRunner().invoke(main, ["model", "path"])
    assert result.exit_code == 1
    assert "run `backstep model fetch`" in result.output


def test_cli_fetch_lite_offline_fails_and_says_why(good_model: Path, isolated_cache: Path) -> None:
    _copy(good_model, cached_model_path("full"))
    result = CliRunner().invoke(main, ["model", "fetch", "--variant", "lite", "--offline"])
    assert result.exit_code == 1, result.output
    assert "pose_landmarker_lite.task was not fetched" in result.output
    assert f"full model is ready at {cached_model_path('full')}" in result.output
    assert not cached_model_path("lite").exists()


def test_cli_fetch_lite_downloads_it_when_the_network_allows(
    good_model: Path, isolated_cache: Path, serve_bytes: Callable[[bytes], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    # The loopback server stands in for Google's host; the bytes are a real, verified model.
    monkeypatch.setattr(model_mod, "MODEL_URL_TEMPLATE", serve_bytes(good_model.read_bytes()))
    result = CliRunner().invoke(main, ["model", "fetch", "--variant", "lite"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        str(cached_model_path("lite")),
        "from the official MediaPipe download (lite)",
    ]


def test_offline_uses_no_network_and_says_what_to_copy(isolated_cache: Path) -> None:
    # An empty cache and --offline: no pip, no download; the message names the wheel folder.
    result = CliRunner().invoke(main, ["model", "fetch", "--offline"])
    assert result.exit_code == 1
    assert "offline, and no model or mediapipe wheel on this machine" in result.output
    assert str(isolated_cache / "wheels") in result.output
    assert not (isolated_cache / "wheels").exists()


def test_offline_builds_from_a_wheel_copied_by_hand_and_then_removes_it(
    cached_wheel: Path, isolated_cache: Path
) -> None:
    wheels = isolated_cache / "wheels"
    wheels.mkdir(parents=True)
    copied = wheels / cached_wheel.name
    copied.symlink_to(cached_wheel)  # as staff would copy it from a USB stick (no 2nd 36 MB)
    resolved = resolve_model(ModelConfig(), offline=True)
    assert resolved.source == "offline-build"
    verify_model(resolved.path)
    assert not copied.exists() and cached_wheel.exists()  # the cache copy is gone once built


def test_no_network_is_said_as_such(isolated_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pip pointed at a closed loopback port: what a station without network sees.
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_NO_INDEX", "0")
    with pytest.raises(ModelError, match=r"^no network: PyPI could not be reached") as caught:
        resolve_model(ModelConfig(), pypi_only=True)
    assert "No matching distribution" not in str(caught.value)
