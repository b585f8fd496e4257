"""Phrases rendered once by espeak-ng into WAVs in the user cache, keyed by words+voice+rate."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import platformdirs

from kiosk.session import cue_catalog
from kiosk.session.cue_catalog import Cue

logger = logging.getLogger(__name__)

#: The speech engine: a separate program (GPL-3), run once per phrase, never linked.
ENGINE = "espeak-ng"
#: Bumped when the rendering changes, so old cache files are not reused.
RENDER_VERSION = 2
RENDER_TIMEOUT_S = 20.0
#: Samples quieter than this (of 32767) count as silence when trimming a phrase.
SILENCE_LEVEL = 300

# Written symbols a speech engine would read out or stumble on, as the words to say.
_SPOKEN: tuple[tuple[str, str], ...] = (
    (r"\s*[—–·|]\s*", ", "),
    (r"\bmph\b", "miles an hour"),
    (r"%", " percent"),
    (r"…", "."),
)


def spoken_form(text: str) -> str:
    """The banner's words as the engine should say them (dashes as pauses, "mph" in full)."""
    out = text
    for pattern, words in _SPOKEN:
        out = re.sub(pattern, words, out)
    return out.strip(" ,")


def find_engine() -> str | None:
    """The path of espeak-ng, or None when it is not installed."""
    return shutil.which(ENGINE)


def default_cache_dir() -> Path:
    """Where rendered phrases live: the user cache dir (rebuilt if deleted)."""
    return Path(platformdirs.user_cache_dir("backstep")) / "voice"


def phrase_key(text: str, voice: str, rate: int) -> str:
    """A file-name-safe key for one phrase in one voice at one rate."""
    raw = f"{ENGINE}|{RENDER_VERSION}|{voice}|{rate}|{text}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def cached_path(cache_dir: Path, text: str, voice: str, rate: int) -> Path:
    """The WAV file a phrase is (or will be) cached in."""
    return cache_dir / f"{phrase_key(text, voice, rate)}.wav"


def render_phrase(
    text: str, voice: str, rate: int, cache_dir: Path, engine: str | None = None
) -> Path:
    """Render ``text`` to its cached WAV (once: an existing file is reused) and return the path.

    Raises ``FileNotFoundError`` without the engine, ``RuntimeError`` when it fails.
    Writes to a temporary file first, so a crash never leaves half a phrase in the cache.
    """
    path = cached_path(cache_dir, text, voice, rate)
    if path.exists() and path.stat().st_size > 44:
        return path
    engine = engine or find_engine()
    if engine is None:
        raise FileNotFoundError(f"{ENGINE} is not installed")
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".wav.part", dir=cache_dir)
    os.close(fd)
    try:
        done = subprocess.run(
            [engine, "-v", voice, "-s", str(rate), "-w", tmp, "--", spoken_form(text)],
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0 or os.path.getsize(tmp) <= 44:
            err = done.stderr.decode(errors="replace").strip()
            raise RuntimeError(f"{ENGINE} failed on {text!r}: {err or done.returncode}")
        trim_silence(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def trim_silence(path: Path, keep_s: float = 0.02) -> None:
    """Cut the engine's leading and trailing silence from a 16-bit WAV, in place.

    espeak-ng starts each file with about 0.1 s of silence and ends it with more: cut, the
    words start as soon as the phrase plays, and the next cue is not held up by a quiet tail.
    """
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        data = np.frombuffer(w.readframes(params.nframes), dtype="<i2")
    if params.sampwidth != 2 or data.size == 0:
        return
    loud = np.flatnonzero(np.abs(data.astype(np.int32)) > SILENCE_LEVEL)
    if loud.size == 0:
        return
    keep = int(keep_s * params.framerate) * params.nchannels
    start = max(0, int(loud[0]) - keep)
    end = min(data.size, int(loud[-1]) + 1 + keep)
    start -= start % params.nchannels
    with wave.open(str(path), "wb") as w:
        w.setparams(params)
        w.writeframes(data[start:end].tobytes())


def catalog_phrases() -> list[str]:
    """Every phrase of the cue catalog, found by walking the module (new cues are picked up)."""
    texts: list[str] = []
    for value in vars(cue_catalog).values():
        for cue in _cues_in(value):
            if cue.text not in texts:
                texts.append(cue.text)
    return texts


def _cues_in(value: object) -> Iterable[Cue]:
    if isinstance(value, Cue):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _cues_in(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _cues_in(item)
