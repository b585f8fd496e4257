"""The offline model build: metadata added to the wheel's bare tflite files, the bundle's layout."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from vision.pose.model_bundle import DETECTOR_MEMBER, LANDMARKER_MEMBER, write_bundle


def _input_normalisation(tflite: bytes) -> tuple[list[float], list[float]]:
    """Mean and std from a tflite file's TFLITE_METADATA (first subgraph, first input)."""
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
    from mediapipe.tasks.metadata import schema_py_generated as tfl

    model = tfl.Model.GetRootAs(tflite, 0)
    entries = [model.Metadata(i) for i in range(model.MetadataLength())]
    found = [e for e in entries if e.Name() == b"TFLITE_METADATA"]
    assert len(found) == 1
    blob = model.Buffers(found[0].Buffer()).DataAsNumpy().tobytes()
    assert blob[4:8] == b"M001"
    unit = meta.ModelMetadata.GetRootAs(blob, 0).SubgraphMetadata(0).InputTensorMetadata(0)
    options = meta.NormalizationOptionsT.InitFromObj(
        _table_as(meta.NormalizationOptions, unit.ProcessUnits(0).Options())
    )
    return list(options.mean), list(options.std)


def _table_as(cls: type, table: object) -> object:
    obj = cls()
    obj.Init(table.Bytes, table.Pos)  # type: ignore[attr-defined]
    return obj


def test_offline_build_declares_each_models_input_normalisation(cached_wheel: Path) -> None:
    from vision.pose.model_bundle import add_metadata, read_wheel_models

    bare = read_wheel_models(cached_wheel)
    detector = add_metadata(bare[DETECTOR_MEMBER], mean=127.5, std=127.5)
    landmarks = add_metadata(bare[LANDMARKER_MEMBER], mean=0.0, std=255.0)
    assert _input_normalisation(detector) == ([127.5], [127.5])  # input in [-1, 1]
    assert _input_normalisation(landmarks) == ([0.0], [255.0])  # input in [0, 1]
    # Adding metadata again replaces it instead of stacking a second entry.
    assert _input_normalisation(add_metadata(detector, mean=1.0, std=2.0)) == ([1.0], [2.0])


def test_bundle_members_start_on_aligned_offsets(tmp_path: Path) -> None:
    out = tmp_path / "b.task"
    write_bundle({DETECTOR_MEMBER: b"a" * 1001, LANDMARKER_MEMBER: b"b" * 333}, out)
    data = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 :][:4])
            start = info.header_offset + 30 + name_len + extra_len
            assert start % 64 == 0
            assert data[start : start + info.file_size] == zf.read(info.filename)


def test_a_damaged_cached_wheel_is_deleted_not_used(tmp_path: Path) -> None:
    from vision.pose.model_bundle import WHEEL_VERSION, find_wheel

    broken = tmp_path / f"mediapipe-{WHEEL_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"
    broken.write_bytes(b"PK\x03\x04 interrupted download")
    assert find_wheel(tmp_path) is None
    assert not broken.exists()


def test_adding_metadata_twice_keeps_the_file_size(cached_wheel: Path) -> None:
    from vision.pose.model_bundle import add_metadata, read_wheel_models

    once = add_metadata(read_wheel_models(cached_wheel)[DETECTOR_MEMBER], mean=127.5, std=127.5)
    twice = add_metadata(once, mean=127.5, std=127.5)
    assert len(twice) == len(once)
