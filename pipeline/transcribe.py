"""Speech to timed segments with openai-whisper.

Stereo calls (rep and customer on their own channels) are transcribed per
channel, so each segment knows its side without guessing; mono calls are
transcribed once and split into speakers by `speakers.diarize`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from models import Segment, Transcript, Word
from pipeline import audio as audio_mod
from pipeline.settings import Settings
from pipeline.vocabulary import correct_names
from pipeline.whisper_model import load_whisper

# A segment whose own channel is this much quieter than the channel's speech is
# crosstalk or a hallucination over silence, not a turn of that side.
CHANNEL_FLOOR_DB = -30.0


@functools.lru_cache(maxsize=2)
def _model(spec: str, cache_dir: str):
    return load_whisper(spec, Path(cache_dir))


def engine_name(settings: Settings) -> str:
    return f"openai-whisper:{settings.whisper_model}:beam{settings.beam_size}"


def transcribe_samples(samples: np.ndarray, settings: Settings,
                       vocabulary: list[str] | None = None) -> list[Segment]:
    """Transcribe one channel of 16 kHz float32 samples into segments with word times."""
    model = _model(settings.whisper_model, str(settings.cache_dir))
    result = model.transcribe(
        samples, language="en", fp16=False, word_timestamps=True,
        beam_size=settings.beam_size if settings.beam_size > 1 else None,
        # Conditioning on earlier text makes whisper loop on repeated phrases.
        condition_on_previous_text=False,
        # No initial prompt: with tiny.en a prompt of names made whisper stop after
        # the first sentence of a 30 s window (measured); names are corrected after.
    )
    segments = []
    for seg in result["segments"]:
        text = seg["text"].strip()
        if not text:
            continue
        words = [Word(start=float(w["start"]), end=float(w["end"]), text=w["word"].strip(),
                      probability=float(w.get("probability", 0.0))) for w in seg.get("words", [])]
        segments.append(Segment(start=float(seg["start"]), end=float(seg["end"]), text=text,
                                words=words or None))
    return correct_names(segments, vocabulary or [])


def _channel_level(channel: np.ndarray, seg: Segment) -> float:
    a, b = int(seg.start * audio_mod.SAMPLE_RATE), int(seg.end * audio_mod.SAMPLE_RATE)
    piece = channel[a:max(b, a + 1)]
    return 20 * np.log10(float(np.sqrt(np.mean(piece**2))) + 1e-9)


def transcribe_audio(samples: np.ndarray, settings: Settings, source: str = "",
                     vocabulary: list[str] | None = None) -> Transcript:
    """Transcribe decoded audio; stereo calls become per-channel segments."""
    duration = samples.shape[1] / audio_mod.SAMPLE_RATE
    if audio_mod.is_stereo_call(samples):
        segments: list[Segment] = []
        for index, channel in enumerate(samples):
            own = transcribe_samples(channel, settings, vocabulary)
            if not own:
                continue
            loudest = max(_channel_level(channel, s) for s in own)
            for seg in own:
                if _channel_level(channel, seg) >= loudest + CHANNEL_FLOOR_DB:
                    seg.channel = index
                    seg.speaker = f"channel {index + 1}"
                    segments.append(seg)
        segments.sort(key=lambda s: s.start)
    else:
        segments = transcribe_samples(samples.mean(axis=0), settings, vocabulary)
    return Transcript(duration=duration, segments=segments, source=source,
                      engine=engine_name(settings))
