"""Spoken cues: every catalog phrase renders with the real espeak-ng and plays through the mixer."""

from __future__ import annotations

import logging
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.config.sound import SoundConfig
from kiosk.session import cue_catalog
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.voice import CueVoice, PhraseCache, audio_allowed, voice_check
from kiosk.ui.voice_cache import (
    cached_path,
    catalog_phrases,
    find_engine,
    render_phrase,
    spoken_form,
)

needs_espeak = pytest.mark.skipif(
    find_engine() is None,
    reason="espeak-ng is not installed (apt install espeak-ng; CI installs it)",
)

#: The longest a cue may take from appearing to its sound starting (issue 21).
LATENCY_BUDGET_S = 0.150


@pytest.fixture
def tones(sdl_dummy: None) -> Iterator[SoundPlayer]:
    """The kiosk's tone player on SDL's dummy audio driver (a real pygame mixer)."""
    player = SoundPlayer(enabled=True, volume=0.6)
    assert player.is_available, "the dummy audio driver should open a mixer"
    yield player
    player.close()


def ready_voice(tones: SoundPlayer, cache_dir: Path, **settings: object) -> CueVoice:
    voice = CueVoice(SoundConfig(**settings), tones, cache_dir)  # type: ignore[arg-type]
    voice.start()
    if voice.cache is not None:
        assert voice.cache.ready.wait(120), "the phrase cache did not fill in time"
    return voice


def test_the_catalog_phrases_are_found_by_walking_the_catalog() -> None:
    phrases = catalog_phrases()
    every = [c.text for c in cue_catalog.FAULT_CUES.values()]
    every += [c.text for c in cue_catalog.ESCALATED_CUES.values()]
    every += [c.text for c in cue_catalog.SAFETY_CUES.values()]
    every += [c.text for c in cue_catalog.ENCOURAGEMENT]
    assert set(every) <= set(phrases)
    assert len(phrases) == len(set(phrases))


def test_written_symbols_are_said_as_words() -> None:
    assert spoken_form("Chest up — stand tall") == "Chest up, stand tall"
    assert spoken_form("Hold the rails · slow the belt to 1 mph") == (
        "Hold the rails, slow the belt to 1 miles an hour"
    )


@needs_espeak
def test_every_catalog_phrase_renders_to_a_real_wav(tmp_path: Path) -> None:
    cfg = SoundConfig()
    for text in catalog_phrases():
        path = render_phrase(text, cfg.voice_name, cfg.rate, tmp_path)
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            seconds = w.getnframes() / rate
            assert w.getsampwidth() == 2 and w.getnchannels() == 1
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        # A real phrase: longer than a click, short enough to be one cue ...
        assert 0.4 < seconds < 6.0, (text, seconds)
        # ... that starts at once (the engine's leading silence is cut).
        first_sound = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)[0] / rate
        assert first_sound < 0.03, (text, first_sound)


@needs_espeak
def test_a_phrase_is_rendered_once_and_reused_from_the_cache(tmp_path: Path) -> None:
    first = render_phrase("Stand tall", "en-gb", 150, tmp_path)
    stamp = first.stat().st_mtime_ns
    again = render_phrase("Stand tall", "en-gb", 150, tmp_path)
    assert again == first and again.stat().st_mtime_ns == stamp
    # The key holds the voice and the rate: another rate is another file.
    assert cached_path(tmp_path, "Stand tall", "en-gb", 170) != first


@needs_espeak
def test_the_cache_fills_in_a_background_thread_not_the_callers(
    tones: SoundPlayer, tmp_path: Path
) -> None:
    cache = PhraseCache("en-gb", 150, tmp_path)
    t0 = time.perf_counter()
    cache.start()
    started_in = time.perf_counter() - t0
    returned_before_ready = not cache.ready.is_set()
    try:
        assert cache.ready.wait(120)
        filled_in = time.perf_counter() - t0
        # The UI loop is never held up by rendering: start returns long before it is done.
        assert returned_before_ready and started_in < filled_in / 4
        assert all(cache.sound_for(t) is not None for t in catalog_phrases())
        assert cache.failures == 0
    finally:
        cache.close()


@needs_espeak
def test_a_cue_is_heard_within_150_ms_and_its_words_follow(
    tones: SoundPlayer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    voice = ready_voice(tones, tmp_path)
    try:
        cue = cue_catalog.FAULT_CUES["leaning_forward"]
        channel = voice._channel
        assert channel is not None and not channel.get_busy()
        with caplog.at_level(logging.INFO, logger="kiosk.ui.voice"):
            t0 = time.perf_counter()
            spoken = voice.cue(cue.tone, cue.text, now=100.0)
            busy = channel.get_busy()
            latency = time.perf_counter() - t0
        assert spoken and busy
        assert latency <= LATENCY_BUDGET_S, f"{latency * 1000:.1f} ms"
        # The level's short lead sounds first, the phrase is queued right behind it, so the
        # words themselves start within the budget too.
        lead = channel.get_sound()
        assert lead is tones.lead_for(cue.tone)
        assert latency + lead.get_length() <= LATENCY_BUDGET_S, f"{lead.get_length():.3f} s"
        assert channel.get_queue() is voice.cache.sound_for(cue.text)  # type: ignore[union-attr]
        assert f"said: {cue.text}" in caplog.messages
    finally:
        voice.close()


@needs_espeak
def test_never_more_than_one_spoken_cue_in_eight_seconds(
    tones: SoundPlayer, tmp_path: Path
) -> None:
    voice = ready_voice(tones, tmp_path)
    try:
        a, b = cue_catalog.FAULT_CUES["leaning_forward"], cue_catalog.FAULT_CUES["core"]
        assert voice.cue(a.tone, a.text, now=10.0)
        assert not voice.cue(b.tone, b.text, now=17.9)  # tone only
        assert tones.last_played == b.tone
        assert voice.cue(b.tone, b.text, now=18.1)
        assert [s.text for s in voice.said] == [a.text, b.text]
    finally:
        voice.close()


def test_without_espeak_ng_cues_fall_back_to_tones(
    tones: SoundPlayer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on the path
    with caplog.at_level(logging.INFO, logger="kiosk.ui.voice"):
        voice = ready_voice(tones, tmp_path / "cache")
    cue = cue_catalog.FAULT_CUES["core"]
    assert not voice.is_speaking_enabled
    assert not voice.cue(cue.tone, cue.text, now=1.0)
    assert tones.last_played == cue.tone and voice.said == []
    assert [m for m in caplog.messages if "espeak-ng is not installed" in m]
    check = voice_check(SoundConfig())
    assert check.status == "warn" and "apt install espeak-ng" in check.fix
    voice.close()


@needs_espeak
def test_voice_off_in_the_staff_file_speaks_nothing(tones: SoundPlayer, tmp_path: Path) -> None:
    voice = ready_voice(tones, tmp_path, voice=False)
    cue = cue_catalog.FAULT_CUES["core"]
    assert not voice.cue(cue.tone, cue.text, now=1.0)
    assert tones.last_played == cue.tone and voice.said == []
    assert not list(tmp_path.glob("*.wav"))  # nothing rendered either
    assert "off" in voice_check(SoundConfig(voice=False)).detail
    voice.close()


def test_a_headless_run_opens_the_mixer_only_on_the_silent_dummy_driver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    assert audio_allowed(headless=True)  # cues are sounded and logged, nothing is heard
    monkeypatch.setenv("SDL_AUDIODRIVER", "alsa")
    assert not audio_allowed(headless=True)
    assert audio_allowed(headless=False)


@needs_espeak
def test_the_kiosk_opens_tones_and_voice_from_its_config_and_speaks_a_cue(
    sdl_dummy: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.config.schema import BackstepConfig
    from kiosk.ui.voice import open_audio

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the user cache dir, on Linux
    tones, voice = open_audio(BackstepConfig(), headless=True)
    try:
        assert tones.is_available and voice.is_speaking_enabled
        assert voice.cache is not None and voice.cache.ready.wait(120)
        cue = cue_catalog.SAFETY_CUES["fall"]
        assert voice.cue(cue.tone, cue, now=5.0)  # the loop hands the cue itself over
        assert voice.said[-1].text == cue.text
        assert list((tmp_path / "backstep" / "voice").glob("*.wav"))
    finally:
        voice.close()
        tones.close()
