"""Voice activity: where in a recording someone speaks.

Uses the Silero VAD model that the faster-whisper wheel ships (ONNX, run by
onnxruntime): offline, and the same detector for both engines. Decoding only
the speech means a call with long holds costs its talk time, not its length.
"""

from __future__ import annotations

import numpy as np
from faster_whisper.vad import SpeechTimestampsMap, VadOptions, collect_chunks, get_speech_timestamps

from pipeline.audio import SAMPLE_RATE

# Pauses shorter than this stay inside a chunk: turn-taking gaps are not cut out.
MIN_SILENCE_MS = 1000


def speech_spans(samples: np.ndarray) -> list[dict]:
    """[{'start': sample, 'end': sample}, ...] of the speech in a mono 16 kHz signal."""
    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=300)
    return get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)


def speech_only(samples: np.ndarray) -> tuple[np.ndarray, SpeechTimestampsMap, float]:
    """(speech audio, map back to original times, share of the recording that is speech)."""
    spans = speech_spans(samples)
    if not spans:
        return samples[:0], SpeechTimestampsMap([], SAMPLE_RATE), 0.0
    chunks, _ = collect_chunks(samples, spans, max_duration=float("inf"))
    speech = np.concatenate(chunks) if chunks else samples[:0]
    share = sum(s["end"] - s["start"] for s in spans) / max(len(samples), 1)
    return speech, SpeechTimestampsMap(spans, SAMPLE_RATE), share
