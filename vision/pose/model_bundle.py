"""Offline build of ``pose_landmarker_full.task`` from the tflite files in a mediapipe 0.10 wheel.

The official ``.task`` files live on a Google host that CI and many gym networks cannot reach.
Every mediapipe 0.10.x wheel on PyPI carries the same BlazePose GHUM "full" weights as bare
``.tflite`` files; the Tasks runtime only refuses them for want of TFLite model metadata
(input normalisation). This module fetches one such wheel with pip, adds that metadata and
writes the two models into a stored (uncompressed) zip, which is what a ``.task`` file is.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np

from vision.errors import ModelError

logger = logging.getLogger(__name__)

#: Member names the Tasks PoseLandmarker looks for inside a ``.task`` bundle.
DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKER_MEMBER = "pose_landmarks_detector.tflite"
BUNDLE_MEMBERS = (DETECTOR_MEMBER, LANDMARKER_MEMBER)

#: The wheel the weights come from. Any 0.10.x wheel holds them; 0.10.21 for x86_64 is used on
#: every machine (a Pi too) because only its files are read, never its code.
WHEEL_VERSION = "0.10.21"
WHEEL_GLOB = f"mediapipe-{WHEEL_VERSION}-*.whl"
#: pip tags that match the published 0.10.21 cp311 wheel (manylinux_2_28 on PyPI).
WHEEL_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64")
WHEEL_PYTHON = "3.11"
PIP_TIMEOUT_S = 900.0

_METADATA_NAME = "TFLITE_METADATA"
_METADATA_IDENTIFIER = b"M001"
_TFLITE_IDENTIFIER = b"TFL3"
#: Byte alignment of tensor data inside each tflite file and of each member inside the zip.
_TENSOR_ALIGN = 16
_MEMBER_ALIGN = 64
#: Zip extra-field id Android's zipalign uses for padding; readers skip unknown ids.
_ALIGN_EXTRA_ID = 0xD935


@dataclass(frozen=True)
class _Part:
    """One model inside the bundle: where it is in the wheel and how its input is scaled."""

    wheel_member: str
    bundle_member: str
    title: str
    mean: float
    std: float


# Normalisation from MediaPipe's own graphs: the detector takes input in [-1, 1]
# (pose_detection_cpu.pbtxt), the landmark model input in [0, 1] (pose_landmark_by_roi_cpu).
_PARTS = (
    _Part(
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        DETECTOR_MEMBER,
        "BlazePose detector",
        127.5,
        127.5,
    ),
    _Part(
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        LANDMARKER_MEMBER,
        "BlazePose GHUM 3D landmarks (full)",
        0.0,
        255.0,
    ),
)


def find_wheel(wheel_dir: Path) -> Path | None:
    """The cached mediapipe wheel in ``wheel_dir`` that still opens as a zip, if any.

    A damaged one (an interrupted copy, a full disk) is deleted so the next download replaces it.
    """
    for candidate in sorted(wheel_dir.glob(WHEEL_GLOB)):
        if zipfile.is_zipfile(candidate):
            return candidate
        logger.warning("deleting damaged cached wheel %s", candidate)
        with contextlib.suppress(OSError):
            candidate.unlink()
    return None


#: Words in pip's output that mean PyPI could not be reached at all (DNS, refused, timeout,
#: proxy), as opposed to "reached, but no such file": the first is said as "no network".
_NO_NETWORK_SIGNS = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Connection refused",
    "ConnectTimeoutError",
    "Read timed out",
    "ProxyError",
    "Max retries exceeded",
)
OFFLINE_ADVICE = (
    "put a pose_landmarker_full.task file in model.path, or copy the mediapipe {version} "
    "wheel into {wheels}, then run `backstep model fetch --offline`"
)


def download_wheel(wheel_dir: Path, *, allow_network: bool = True) -> Path:
    """Return the mediapipe wheel in ``wheel_dir``, downloading it once with pip if absent.

    With ``allow_network`` False only a wheel already in ``wheel_dir`` is used.
    """
    cached = find_wheel(wheel_dir)
    if cached is not None:
        return cached
    offline_advice = OFFLINE_ADVICE.format(version=WHEEL_VERSION, wheels=wheel_dir)
    if not allow_network:
        raise ModelError(
            f"offline, and no model or mediapipe wheel on this machine: {offline_advice}"
        )
    advice = "check the network, or put a pose_landmarker_full.task file in model.path"
    try:
        wheel_dir.mkdir(parents=True, exist_ok=True)
        # pip writes into a private directory; the wheel appears in the cache only when whole.
        with tempfile.TemporaryDirectory(prefix=".pip-", dir=wheel_dir) as staging:
            proc = _run_pip_download(Path(staging))
            fetched = find_wheel(Path(staging))
            if proc.returncode != 0 or fetched is None:
                output = f"{proc.stderr or ''}\n{proc.stdout or ''}"
                if any(sign in output for sign in _NO_NETWORK_SIGNS):
                    raise ModelError(
                        f"no network: PyPI could not be reached to download mediapipe "
                        f"{WHEEL_VERSION} (the pose model's source): connect the station, or "
                        f"{offline_advice}"
                    )
                lines = output.strip().splitlines()
                why = lines[-1] if lines else f"pip exit code {proc.returncode}"
                raise ModelError(
                    f"could not download mediapipe {WHEEL_VERSION} from PyPI ({why}): {advice}"
                )
            wheel = wheel_dir / fetched.name
            os.replace(fetched, wheel)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelError(
            f"could not download mediapipe {WHEEL_VERSION} with pip ({exc}): {advice}"
        ) from exc
    return wheel


def _stderr_is_terminal() -> bool:
    return sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def _run_pip_download(dest: Path) -> subprocess.CompletedProcess[str]:
    """``pip download`` the x86_64 wheel; only its model files are used, so any machine can.

    On a terminal pip's own progress bar is shown on stderr (pip draws it on its stdout, which
    is pointed at our stderr); our stdout stays clean. Errors are captured for the message.
    """
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        f"mediapipe=={WHEEL_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        *(arg for platform in WHEEL_PLATFORMS for arg in ("--platform", platform)),
        "--python-version",
        WHEEL_PYTHON,
        "--disable-pip-version-check",
        # Fail in seconds, not minutes, when there is no network (pip retries 5 times).
        "--retries",
        "1",
        "--timeout",
        "15",
        "-d",
        str(dest),
    ]
    logger.warning("downloading mediapipe %s from PyPI (about 36 MB, once)", WHEEL_VERSION)
    if _stderr_is_terminal():
        return subprocess.run(
            cmd,
            stdout=sys.stderr,
            stderr=subprocess.PIPE,
            text=True,
            timeout=PIP_TIMEOUT_S,
            check=False,
        )
    return subprocess.run(cmd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False)


def _schemas() -> tuple[Any, Any]:
    """The generated TFLite and metadata flatbuffer modules shipped inside mediapipe."""
    try:
        from mediapipe.tasks.metadata import metadata_schema_py_generated as meta
        from mediapipe.tasks.metadata import schema_py_generated as tfl
    except ImportError as exc:  # pragma: no cover - mediapipe is a hard dependency
        raise ModelError(f"mediapipe flatbuffer schemas are missing ({exc}): reinstall") from exc
    return tfl, meta


def _metadata_buffer(model: Any, meta: Any, *, title: str, mean: float, std: float) -> bytes:
    """Serialise a ModelMetadata flatbuffer describing ``model``'s input and outputs."""
    subgraph = model.subgraphs[0]

    def tensor_name(index: int) -> str:
        raw = subgraph.tensors[index].name
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    image = meta.ContentT()
    image.contentPropertiesType = meta.ContentProperties.ImageProperties
    image.contentProperties = meta.ImagePropertiesT()
    image.contentProperties.colorSpace = meta.ColorSpaceType.RGB
    norm = meta.ProcessUnitT()
    norm.optionsType = meta.ProcessUnitOptions.NormalizationOptions
    norm.options = meta.NormalizationOptionsT()
    norm.options.mean = [mean]
    norm.options.std = [std]
    image_in = meta.TensorMetadataT()
    image_in.name = "image"
    image_in.content = image
    image_in.processUnits = [norm]

    outputs = []
    for index in subgraph.outputs:
        out = meta.TensorMetadataT()
        out.name = tensor_name(int(index))
        # The Tasks runtime reads output layout from the graph; it only needs one entry each.
        out.content = meta.ContentT()
        out.content.contentPropertiesType = meta.ContentProperties.FeatureProperties
        out.content.contentProperties = meta.FeaturePropertiesT()
        outputs.append(out)

    graph = meta.SubGraphMetadataT()
    graph.name = title
    graph.inputTensorMetadata = [image_in]
    graph.outputTensorMetadata = outputs
    root = meta.ModelMetadataT()
    root.name = title
    root.description = "MediaPipe BlazePose weights from the mediapipe wheel, with metadata."
    root.version = WHEEL_VERSION
    root.subgraphMetadata = [graph]
    root.minParserVersion = "1.0.0"

    builder = flatbuffers.Builder(1024)
    builder.Finish(root.Pack(builder), _METADATA_IDENTIFIER)
    return bytes(builder.Output())


def add_metadata(tflite: bytes, *, mean: float, std: float, title: str = "pose model") -> bytes:
    """Return ``tflite`` with TFLite model metadata (RGB image input normalised by mean/std).

    Any earlier ``TFLITE_METADATA`` entry is replaced, so the call is idempotent.
    """
    tfl, meta = _schemas()
    if tflite[4:8] != _TFLITE_IDENTIFIER:
        raise ModelError("not a TFLite model (missing TFL3 identifier)")
    model = tfl.ModelT.InitFromPackedBuf(bytearray(tflite), 0)
    if not model.subgraphs or len(model.subgraphs) != 1:
        raise ModelError("expected a TFLite model with exactly one subgraph")
    blob = _metadata_buffer(model, meta, title=title, mean=mean, std=std)
    buffer = tfl.BufferT()
    buffer.data = np.frombuffer(blob, dtype=np.uint8)
    model.buffers = list(model.buffers or [])
    model.metadata = list(model.metadata or [])
    earlier = [m for m in model.metadata if _entry_name(m) == _METADATA_NAME]
    if earlier:  # replace the old metadata in place rather than orphaning its buffer
        model.buffers[earlier[0].buffer] = buffer
        model.metadata = [m for m in model.metadata if m is earlier[0] or m not in earlier]
    else:
        model.buffers.append(buffer)
        entry = tfl.MetadataT()
        entry.name = _METADATA_NAME
        entry.buffer = len(model.buffers) - 1
        model.metadata.append(entry)

    builder = AlignedBuilder(len(tflite) + len(blob) + 4096)
    builder.Finish(model.Pack(builder), _TFLITE_IDENTIFIER)
    return bytes(builder.Output())


class AlignedBuilder(flatbuffers.Builder):
    """A flatbuffers Builder that puts byte vectors (tensor data) on 16-byte boundaries.

    The stock builder aligns uint8 vectors to 1 byte; TFLite then warns about every unaligned
    constant tensor and copies it to the heap instead of using it in place.
    """

    def CreateNumpyVector(self, x: Any) -> int:
        if not (isinstance(x, np.ndarray) and x.dtype == np.uint8 and x.ndim == 1):
            return int(super().CreateNumpyVector(x))
        payload = x.tobytes()
        self.StartVector(1, len(payload), _TENSOR_ALIGN)
        head = int(self.Head()) - len(payload)
        self.head = head
        self.Bytes[head : head + len(payload)] = payload
        self.vectorNumElems = len(payload)
        return int(self.EndVector())


def _entry_name(entry: Any) -> str:
    name = entry.name
    return name.decode() if isinstance(name, bytes) else str(name)


def read_wheel_models(wheel: Path) -> dict[str, bytes]:
    """The bare detector and landmark tflite files from a mediapipe 0.10 wheel, by bundle name."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            return {part.bundle_member: zf.read(part.wheel_member) for part in _PARTS}
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(
            f"wheel {wheel} does not hold the pose models ({exc}): delete it and run "
            "`backstep model fetch`"
        ) from exc


def write_bundle(members: dict[str, bytes], out: Path) -> None:
    """Write a ``.task`` bundle: a stored (uncompressed) zip, as the Tasks runtime requires."""
    with open(out, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in BUNDLE_MEMBERS:
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 31, 0, 0, 0))
            # Pad the local header (as Android's zipalign does) so each model starts on an
            # aligned offset and its tensor data stays aligned when the runtime maps the file.
            header_end = fh.tell() + 30 + len(name.encode()) + 4
            pad = (-header_end) % _MEMBER_ALIGN
            info.extra = struct.pack("<HH", _ALIGN_EXTRA_ID, pad) + b"\0" * pad
            zf.writestr(info, members[name])


def build_full_bundle(wheel: Path, out: Path) -> None:
    """Build ``pose_landmarker_full.task`` at ``out`` from the tflite files inside ``wheel``."""
    bare = read_wheel_models(wheel)
    members = {
        part.bundle_member: add_metadata(
            bare[part.bundle_member], mean=part.mean, std=part.std, title=part.title
        )
        for part in _PARTS
    }
    write_bundle(members, out)
