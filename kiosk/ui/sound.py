"""Short synthesised tones, one per kind (good, caution, alert); silent without audio."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

SAMPLE_RATE = 22050

#: (frequency Hz, duration s) notes per tone: distinct in pitch *and* rhythm so they are
#: told apart over gym music (rising = good, two equal = caution, falling and longer =
#: escalate (the firmer cue), three slow rising = transition (a block change is coming),
#: fast high triple = alert). A cue's tone is `kiosk.session.cue_catalog.Cue.tone`.
TONES: dict[str, tuple[tuple[float, float], ...]] = {
    "good": ((660.0, 0.09), (880.0, 0.14)),
    "caution": ((520.0, 0.12), (0.0, 0.06), (520.0, 0.12)),
    "escalate": ((700.0, 0.16), (0.0, 0.04), (440.0, 0.26)),
    "transition": ((392.0, 0.12), (0.0, 0.08), (523.0, 0.12), (0.0, 0.08), (659.0, 0.2)),
    "alert": ((1000.0, 0.1), (0.0, 0.05), (1000.0, 0.1), (0.0, 0.05), (1000.0, 0.1)),
}


#: Before spoken words the level is marked by the tone's first note alone, this long, so the
#: words start within 150 ms of the cue (the whole tones last 0.23-0.8 s).
LEAD_S = 0.1


def lead_notes(tone: str) -> tuple[tuple[float, float], ...]:
    """The tone's first sounding note, cut to `LEAD_S`: its pitch still tells the level."""
    freq = next(f for f, _ in TONES[tone] if f > 0)
    return ((freq, LEAD_S),)


def synthesise(
    tone: str,
    sample_rate: int = SAMPLE_RATE,
    notes: tuple[tuple[float, float], ...] | None = None,
) -> np.ndarray:
    """The tone (or ``notes``) as int16 mono samples (frequency 0 = a rest), with 5 ms fades."""
    parts = []
    fade = int(sample_rate * 0.005)
    for freq, dur in notes if notes is not None else TONES[tone]:
        n = int(sample_rate * dur)
        if freq <= 0:
            parts.append(np.zeros(n, dtype=np.float32))
            continue
        t = np.arange(n, dtype=np.float32) / sample_rate
        wave = np.sin(2 * np.pi * freq * t) + 0.3 * np.sin(2 * np.pi * 2 * freq * t)
        env = np.ones(n, dtype=np.float32)
        env[:fade] = np.linspace(0, 1, fade)
        env[-fade:] = np.linspace(1, 0, fade)
        parts.append((wave * env / 1.3).astype(np.float32))
    samples = np.concatenate(parts)
    return (samples * 32767 * 0.9).astype(np.int16)


class SoundPlayer:
    """Plays the tones through ``pygame.mixer``; without an audio device it does nothing."""

    def __init__(self, enabled: bool = True, volume: float = 0.6) -> None:
        self.volume = volume
        self._sounds: dict[str, Any] = {}
        self._leads: dict[str, Any] = {}
        self.is_available = False
        self.last_played: str | None = None
        if not enabled:
            return
        try:
            import pygame

            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=1)
            init = pygame.mixer.get_init()
            if init is None:
                raise RuntimeError("mixer did not start")
            freq, _size, channels = init
            for name in TONES:
                for store, notes in ((self._sounds, None), (self._leads, lead_notes(name))):
                    mono = synthesise(name, freq, notes)
                    data = mono if channels == 1 else np.repeat(mono[:, None], channels, axis=1)
                    sound = pygame.sndarray.make_sound(np.ascontiguousarray(data))
                    sound.set_volume(volume)
                    store[name] = sound
            self.is_available = True
        except Exception as exc:  # no audio device is normal on a kiosk without speakers
            logger.info("sound off: %s", exc)

    def set_volume(self, volume: float) -> None:
        """Change the volume (0..1)."""
        self.volume = volume
        for sound in [*self._sounds.values(), *self._leads.values()]:
            sound.set_volume(volume)

    def sound_for(self, tone: str | None) -> Any | None:
        """The loaded mixer sound of ``tone`` (None when unknown or without audio)."""
        return self._sounds.get(tone) if tone is not None else None

    def lead_for(self, tone: str | None) -> Any | None:
        """The short lead of ``tone`` played before spoken words (None when unknown)."""
        return self._leads.get(tone) if tone is not None else None

    def play(self, tone: str | None) -> None:
        """Play ``tone`` ("good", "caution", "alert"); unknown or None is silent."""
        if tone is None:
            return
        self.last_played = tone
        sound = self._sounds.get(tone)
        if sound is not None:
            try:
                sound.play()
            except Exception:
                logger.debug("playing %s failed", tone, exc_info=True)

    def close(self) -> None:
        """Release the mixer (idempotent)."""
        self._sounds.clear()
        self._leads.clear()
        if self.is_available:
            try:
                import pygame

                pygame.mixer.quit()
            except Exception:
                logger.debug("mixer quit failed", exc_info=True)
            self.is_available = False
