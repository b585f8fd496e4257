"""Spoken cues: the banner's words from the phrase cache via the pygame mixer; else tones."""

from __future__ import annotations

import logging
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kiosk.config.sound import SoundConfig
from kiosk.session.cue_catalog import Cue
from kiosk.ui.sound import SoundPlayer
from kiosk.ui.voice_cache import (
    ENGINE,
    catalog_phrases,
    default_cache_dir,
    find_engine,
    render_phrase,
)
from vision.threads import WorkerThread

if TYPE_CHECKING:
    from kiosk.config.schema import BackstepConfig

logger = logging.getLogger(__name__)

#: The mixer channel kept for the voice, so tones on other channels never cut a phrase off.
VOICE_CHANNEL = 0


@dataclass(frozen=True, slots=True)
class Said:
    """One spoken cue: when (the loop's clock) and the words."""

    t: float
    text: str


class PhraseCache:
    """Renders phrases in a background thread and keeps them loaded as mixer sounds.

    The UI loop only ever looks a phrase up (`sound_for`); rendering (a subprocess) and
    loading (file I/O) happen in this object's thread. A phrase asked for before it is
    ready is queued and spoken next time.
    """

    def __init__(self, voice: str, rate: int, cache_dir: Path | None = None) -> None:
        self.voice, self.rate = voice, rate
        self.cache_dir = cache_dir or default_cache_dir()
        self.engine = find_engine()
        self._sounds: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._todo: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._asked: set[str] = set()
        self._worker: WorkerThread | None = None
        self.ready = threading.Event()  # the catalog's phrases are all loaded (or failed)
        self.failures = 0
        self.volume = 1.0
        self._stop = False

    @property
    def is_available(self) -> bool:
        """True when the speech engine is installed."""
        return self.engine is not None

    def start(self, phrases: list[str] | None = None) -> None:
        """Render and load ``phrases`` (default: the whole cue catalog) in the background."""
        if self._worker is not None or self.engine is None:
            self.ready.set()
            return
        for text in catalog_phrases() if phrases is None else phrases:
            self._ask(text)
        self._todo.put(None)  # marks the end of the first batch
        self._worker = WorkerThread(self._run, "backstep-voice-cache")
        self._worker.start()

    def sound_for(self, text: str) -> Any | None:
        """The loaded phrase, or None (then it is queued for rendering)."""
        with self._lock:
            sound = self._sounds.get(text)
        if sound is None and self.engine is not None:
            self._ask(text)
        return sound

    def set_volume(self, volume: float) -> None:
        """Loudness of every loaded phrase (0..1)."""
        with self._lock:
            for sound in self._sounds.values():
                sound.set_volume(volume)

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread (idempotent); a phrase being rendered is finished first."""
        worker, self._worker = self._worker, None
        if worker is not None:
            self._stop = True
            # wakes the thread if it waits for work
            worker.stop(wake=lambda: self._todo.put(None), timeout=timeout)

    def _ask(self, text: str) -> None:
        with self._lock:
            if text in self._asked:
                return
            self._asked.add(text)
        self._todo.put(text)

    def _run(self) -> None:
        import pygame

        while not self._stop:
            text = self._todo.get()
            if text is None:
                self.ready.set()
                continue
            try:
                path = render_phrase(text, self.voice, self.rate, self.cache_dir, self.engine)
                sound = pygame.mixer.Sound(str(path))
                sound.set_volume(self.volume)
            except Exception as exc:  # one bad phrase must not silence the others
                self.failures += 1
                logger.warning("voice: could not prepare %r: %s", text, exc)
                continue
            with self._lock:
                self._sounds[text] = sound


class CueVoice:
    """Sounds a cue: its level tone, then its words when a voice is ready and the gap allows.

    The tone starts on the voice channel at once and the phrase is queued behind it on the
    same channel, so the level is heard first and a phrase is never talked over by a tone.
    Without espeak-ng, with the voice off, or within ``min_gap_s`` of the last phrase, only
    the tone sounds (through the `SoundPlayer`, as before).
    """

    def __init__(
        self, config: SoundConfig, tones: SoundPlayer, cache_dir: Path | None = None
    ) -> None:
        self.config = config
        self.tones = tones
        self.said: list[Said] = []
        self.cache: PhraseCache | None = None
        self._channel: Any | None = None
        if not (config.voice and tones.is_available):
            return
        cache = PhraseCache(config.voice_name, config.rate, cache_dir)
        if not cache.is_available:
            logger.info("voice off: %s is not installed; cues use tones only", ENGINE)
            return
        try:
            import pygame

            pygame.mixer.set_reserved(VOICE_CHANNEL + 1)
            self._channel = pygame.mixer.Channel(VOICE_CHANNEL)
        except Exception as exc:
            logger.info("voice off: %s", exc)
            return
        cache.volume = config.voice_volume
        self.cache = cache

    @property
    def is_speaking_enabled(self) -> bool:
        """True when cues can be spoken (engine present, voice on, audio up)."""
        return self.cache is not None

    def start(self) -> None:
        """Render and load the catalog's phrases in the background (call once at start)."""
        if self.cache is not None:
            self.cache.start()

    def apply_live(self, config: SoundConfig) -> None:
        """A reloaded ``[sound]``: loudness and gap apply at once (voice and rate at restart)."""
        self.config.voice_volume = config.voice_volume
        self.config.min_gap_s = config.min_gap_s
        if self.cache is not None:
            self.cache.volume = config.voice_volume
            self.cache.set_volume(config.voice_volume)

    def cue(self, tone: str | None, text: str | Cue | None, now: float) -> bool:
        """A cue just appeared: sound its tone and, if allowed, say ``text`` (or the cue's
        words). True if spoken."""
        if isinstance(text, Cue):
            text = text.text
        phrase = self._phrase(text, now)
        if phrase is None or self._channel is None:
            self.tones.play(tone)
            return False
        # the tone's short lead marks the level; the words follow within 150 ms of the cue
        tone_sound = self.tones.lead_for(tone)
        if tone_sound is not None:
            self.tones.last_played = tone
            self._channel.play(tone_sound)
            self._channel.queue(phrase)
        else:
            self._channel.play(phrase)
        assert text is not None
        self.said.append(Said(now, text))
        del self.said[:-50]
        logger.info("said: %s", text)
        return True

    def _phrase(self, text: str | None, now: float) -> Any | None:
        if self.cache is None or not text:
            return None
        if self.said and now - self.said[-1].t < self.config.min_gap_s:
            return None
        return self.cache.sound_for(text)

    def close(self) -> None:
        """Stop the cache thread (idempotent); the mixer is the `SoundPlayer`'s to close."""
        if self.cache is not None:
            self.cache.close()


@dataclass(frozen=True, slots=True)
class VoiceCheck:
    """The doctor's line about the voice: "ok" or "warn" (tones still work), what, how to fix."""

    status: Literal["ok", "warn"]
    detail: str
    fix: str = ""


def open_audio(config: BackstepConfig, headless: bool) -> tuple[SoundPlayer, CueVoice]:
    """The kiosk's tone player (``[cues] sound``, ``volume``) and spoken coach (``[sound]``),
    the phrase cache filling in the background; see `audio_allowed` for ``headless``."""
    tones = SoundPlayer(config.cues.sound and audio_allowed(headless), config.cues.volume)
    voice = CueVoice(config.sound, tones)
    voice.start()
    return tones, voice


def audio_allowed(headless: bool) -> bool:
    """Whether the kiosk may open the mixer: not when headless, unless SDL's audio driver is
    the silent "dummy" one, so a headless run cues and speaks (and logs ``said:``) exactly as
    a station does, without a sound."""
    return not headless or os.environ.get("SDL_AUDIODRIVER") == "dummy"


def voice_check(config: SoundConfig) -> VoiceCheck:
    """Whether cues will be spoken, and why not (a missing voice never blocks a session)."""
    if not config.voice:
        return VoiceCheck("ok", "off in the staff file ([sound] voice = false); tones only")
    engine = find_engine()
    if engine is None:
        return VoiceCheck(
            "warn", f"{ENGINE} is not installed: cues use tones only", f"apt install {ENGINE}"
        )
    return VoiceCheck("ok", f"{engine}, voice {config.voice_name}, {config.rate} words/min")
