"""Voice activity: where in a recording someone speaks.

Uses the Silero VAD model that the faster-whisper wheel ships (ONNX, run by
onnxruntime): offline, and the same detector for both engines. Decoding only
the speech means a call with long holds costs its talk time, not its length;
grouping the speech into blocks bounds the recognizer's memory on long calls.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from faster_whisper.vad import SpeechTimestampsMap, VadOptions, collect_chunks, get_speech_timestamps

from pipeline.audio import SAMPLE_RATE

# Pauses shorter than this stay inside a chunk: turn-taking gaps are not cut out.
MIN_SILENCE_MS = 1000
# Speech handed to the recognizer at once; whisper holds a log-mel of all of it.
BLOCK_SECONDS = 600.0


# The detector runs over pieces of this length: on a whole hour at once it holds
# framed copies of the signal (+690 MB measured), per piece about a tenth of that.
PIECE_SECONDS = 300.0


def speech_spans(samples: np.ndarray, longest: float = BLOCK_SECONDS) -> list[dict]:
    """[{'start': sample, 'end': sample}, ...] of the speech in a mono 16 kHz signal,
    none longer than `longest` seconds.

    Detected piece by piece; a span cut by a piece boundary is joined again."""
    options = VadOptions(min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=300,
                         max_speech_duration_s=longest)
    piece = int(PIECE_SECONDS * SAMPLE_RATE)
    join_gap = MIN_SILENCE_MS * SAMPLE_RATE // 1000
    spans: list[dict] = []
    for offset in range(0, len(samples), piece):
        for span in get_speech_timestamps(samples[offset:offset + piece], options, sampling_rate=SAMPLE_RATE):
            start, end = span["start"] + offset, span["end"] + offset
            if spans and start - spans[-1]["end"] <= join_gap and \
                    end - spans[-1]["start"] <= longest * SAMPLE_RATE:
                spans[-1]["end"] = max(spans[-1]["end"], end)
            else:
                spans.append({"start": start, "end": end})
    return spans


def speech_blocks(samples: np.ndarray, block_seconds: float = BLOCK_SECONDS
                  ) -> Iterator[tuple[np.ndarray, SpeechTimestampsMap]]:
    """Blocks of speech (at most `block_seconds` each, cut at pauses), each with
    the map from its own time back to the recording's."""
    limit = int(block_seconds * SAMPLE_RATE)
    block: list[dict] = []
    total = 0
    for span in speech_spans(samples, block_seconds):
        length = span["end"] - span["start"]
        if block and total + length > limit:
            yield _join(samples, block)
            block, total = [], 0
        block.append(span)
        total += length
    if block:
        yield _join(samples, block)


def _join(samples: np.ndarray, spans: list[dict]) -> tuple[np.ndarray, SpeechTimestampsMap]:
    chunks, _ = collect_chunks(samples, spans, max_duration=float("inf"))
    return np.concatenate(chunks), SpeechTimestampsMap(spans, SAMPLE_RATE)


def speech_share(samples: np.ndarray) -> float:
    """Share of the recording that is speech."""
    spans = speech_spans(samples)
    return sum(s["end"] - s["start"] for s in spans) / max(len(samples), 1)
