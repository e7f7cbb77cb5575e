"""Speech to timed segments: openai-whisper (default) or faster-whisper.

Both engines read the same packaged tiny.en weights by default. Only the
speech found by voice-activity detection is decoded; times are mapped back to
the recording. Stereo calls (rep and customer on their own channels) are
transcribed per channel, so each segment knows its side without guessing.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from models import Segment, Transcript, Word
from pipeline import audio as audio_mod
from pipeline import vad
from pipeline.settings import Settings
from pipeline.vocabulary import correct_names
from pipeline.whisper_model import DEFAULT_MODEL, ModelError, load_whisper, packaged_ct2_dir

# A segment whose own channel is this much quieter than the channel's speech is
# crosstalk or a hallucination over silence, not a turn of that side.
CHANNEL_FLOOR_DB = -30.0
# Less speech than this in a channel is nothing to transcribe.
MIN_SPEECH_SECONDS = 0.3
# Mean word probability below which speech is not taken as English, and below
# which a transcript is flagged (see language_problem). Measured with tiny.en:
# English sample calls 0.82-0.87; German, French, Spanish speech 0.01-0.55.
NOT_ENGLISH_CONFIDENCE = 0.35
LOW_CONFIDENCE = 0.65


@functools.lru_cache(maxsize=2)
def _openai_model(spec: str, cache_dir: str, device: str):
    return load_whisper(spec, Path(cache_dir), device=device)


@functools.cache
def _gpu_usable(engine: str) -> bool:
    """Whether `engine` can decode on a GPU here (checked once per process)."""
    if engine == "openai-whisper":
        import torch

        return torch.cuda.is_available()
    import ctranslate2

    if ctranslate2.get_cuda_device_count() == 0 or \
            "float16" not in ctranslate2.get_supported_compute_types("cuda"):
        return False
    # CTranslate2's wheels load cuBLAS 12 only at the first matrix product: on a
    # GPU machine with another CUDA the call would fail midway, not at load.
    import ctypes

    try:
        ctypes.CDLL("libcublas.so.12")
    except OSError:
        return False
    return True


def device_for(settings: Settings) -> str:
    """"cuda" or "cpu": the device setting, with auto resolved for the engine in use. Asking
    for a GPU the engine cannot use is a set-up error, fatal to the batch like a wrong model."""
    if settings.device == "auto":
        return "cuda" if _gpu_usable(settings.engine) else "cpu"
    if settings.device == "cuda" and not _gpu_usable(settings.engine):
        needs = "a CUDA build of torch" if settings.engine == "openai-whisper" else \
            "cuBLAS 12 (nvidia-cublas-cu12)"
        raise ModelError(f"device cuda was asked for, but {settings.engine} cannot use a GPU here: it needs "
                         f"an NVIDIA GPU and {needs}; set device to auto or cpu")
    return settings.device


def _cores() -> int:
    """The cores this process may use: a Dask worker's share (flows/batch.py sets
    HANDOFF_TORCH_THREADS), else OMP_NUM_THREADS, else the CPUs it may run on."""
    for name in ("HANDOFF_TORCH_THREADS", "OMP_NUM_THREADS"):
        if (value := os.environ.get(name, "")).isdigit() and int(value) > 0:
            return int(value)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _decoders(settings: Settings) -> tuple[int, int]:
    """(decoders, CPU threads each) for faster-whisper.

    Measured on 2 cores with tiny.en int8 (15-min call, beam 5): one decoder on
    two threads RTF 0.055-0.061, on one thread 0.050; CTranslate2's threads
    wait on each other more than they help a model this small. So each core
    decodes its own speech block (up to 4 decoders by default: each holds its
    own copy of the model). Without voice detection there is one block: one
    decoder on every core."""
    cores = _cores()
    decoders = 1 if not settings.vad else (settings.decoders or min(cores, 4))
    return decoders, max(1, cores // decoders)


_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=2)
def _faster_model_cached(spec: str, cache_dir: str, device: str, decoders: int, threads: int):
    from faster_whisper import WhisperModel

    source = str(packaged_ct2_dir()) if spec == DEFAULT_MODEL else spec
    try:
        # num_workers: that many transcribe() calls from different threads run at once.
        return WhisperModel(source, device=device, compute_type="float16" if device == "cuda" else "int8",
                            download_root=cache_dir, cpu_threads=threads, num_workers=decoders)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"cannot load faster-whisper model {spec!r} on {device}: {exc}") from exc


def _faster_model(spec: str, cache_dir: str, device: str, decoders: int, threads: int):
    # lru_cache does not lock: threads missing it together would each load a model.
    with _LOAD_LOCK:
        return _faster_model_cached(spec, cache_dir, device, decoders, threads)


def load_engine(settings: Settings) -> None:
    """Load the recognizer these settings name (kept for later calls), so that its
    loading, and a first conversion of the default weights, can be timed apart."""
    if settings.engine == "faster-whisper":
        _faster_model(settings.whisper_model, str(settings.cache_dir), device_for(settings),
                      *_decoders(settings))
    else:
        _openai_model(settings.whisper_model, str(settings.cache_dir), device_for(settings))


def engine_name(settings: Settings) -> str:
    return f"{settings.engine}:{settings.whisper_model}:beam{settings.beam_size}" + \
        (":vad" if settings.vad else "") + (":cuda" if device_for(settings) == "cuda" else "")


def _openai_segments(samples: np.ndarray, settings: Settings) -> list[dict]:
    device = device_for(settings)
    model = _openai_model(settings.whisper_model, str(settings.cache_dir), device)
    result = model.transcribe(
        samples, language="en", fp16=device == "cuda", word_timestamps=True,
        beam_size=settings.beam_size if settings.beam_size > 1 else None,
        # Conditioning on earlier text makes whisper loop on repeated phrases.
        # No initial prompt: with tiny.en a prompt of names made whisper stop
        # after the first sentence of a 30 s window (measured); names are
        # corrected after instead (pipeline/vocabulary.py).
        condition_on_previous_text=False)
    return [{"start": s["start"], "end": s["end"], "text": s["text"],
             "words": [(w["start"], w["end"], w["word"], w.get("probability")) for w in s.get("words", [])]}
            for s in result["segments"]]


def _faster_segments(samples: np.ndarray, settings: Settings) -> list[dict]:
    model = _faster_model(settings.whisper_model, str(settings.cache_dir), device_for(settings),
                          *_decoders(settings))
    segments, _ = model.transcribe(samples, language="en", beam_size=settings.beam_size,
                                   word_timestamps=True, condition_on_previous_text=False)
    return [{"start": s.start, "end": s.end, "text": s.text,
             "words": [(w.start, w.end, w.word, w.probability) for w in (s.words or [])]}
            for s in segments]  # a generator: consumed here, segment by segment


# openai-whisper: one call at a time per process. It installs its key-value cache hooks
# on the shared model for each call, so two threads decoding at once corrupt each other
# ("Sizes of tensors must match"); torch uses the cores within the one call. faster-whisper
# needs no lock: its model takes calls from several threads on its own workers.
_RECOGNIZER_LOCK = threading.Lock()


def _recognise(samples: np.ndarray, settings: Settings) -> list[dict]:
    if settings.engine == "faster-whisper":  # CTranslate2 queues calls on its own workers
        return _faster_segments(samples, settings)
    with _RECOGNIZER_LOCK:
        return _openai_segments(samples, settings)


# faster-whisper's blocks are shorter so that a call's speech spreads over the
# decoders; blocks are cut at pauses and whisper reads 30-s windows anyway.
FASTER_BLOCK_SECONDS = 120.0


def _blocks(samples: np.ndarray, settings: Settings):
    """(audio, time-restoring function) pairs: speech blocks, or the whole signal without VAD."""
    enough = MIN_SPEECH_SECONDS * audio_mod.SAMPLE_RATE
    if not settings.vad:
        if samples.size >= enough:
            yield samples, (lambda t, end=False: round(t, 2))
        return
    size = FASTER_BLOCK_SECONDS if settings.engine == "faster-whisper" else vad.BLOCK_SECONDS
    for speech, times in vad.speech_blocks(samples, size):
        if speech.size >= enough:
            yield speech, (lambda t, end=False, m=times: m.get_original_time(t, is_end=end))


def _recognised_blocks(samples: np.ndarray, settings: Settings):
    """(segments, time-restoring function) per block, in order. faster-whisper decodes up to
    `decoders` blocks at once, with as many more queued so that no decoder waits on the
    oldest block (a few MB of audio held ahead)."""
    blocks = _blocks(samples, settings)
    at_once = _decoders(settings)[0] if settings.engine == "faster-whisper" else 1
    if at_once == 1:
        for speech, restore in blocks:
            yield _recognise(speech, settings), restore
        return
    pool = ThreadPoolExecutor(at_once)
    pending: deque = deque()
    try:
        for speech, restore in blocks:
            pending.append((pool.submit(_recognise, speech, settings), restore))
            if len(pending) >= 2 * at_once:
                future, done_restore = pending.popleft()
                yield future.result(), done_restore
        while pending:
            future, done_restore = pending.popleft()
            yield future.result(), done_restore
    finally:
        # On an error or an early stop, queued blocks are dropped rather than decoded.
        pool.shutdown(wait=False, cancel_futures=True)


def transcribe_samples(samples: np.ndarray, settings: Settings,
                       vocabulary: list[str] | None = None) -> list[Segment]:
    """Transcribe one channel of 16 kHz float32 samples into segments with word times."""
    segments = []
    for recognised, restore in _recognised_blocks(samples, settings):
        for seg in recognised:
            text = seg["text"].strip()
            if not text:
                continue
            words = [Word(start=restore(a), end=restore(b, True), text=w.strip(),
                          probability=float(p) if p is not None else None) for a, b, w, p in seg["words"]]
            segments.append(Segment(start=restore(seg["start"]), end=restore(seg["end"], True),
                                    text=text, words=words or None))
    return correct_names(segments, vocabulary or [])


def _channel_level(channel: np.ndarray, seg: Segment) -> float:
    a, b = int(seg.start * audio_mod.SAMPLE_RATE), int(seg.end * audio_mod.SAMPLE_RATE)
    piece = channel[a:max(b, a + 1)]
    return 20 * np.log10(float(np.sqrt(np.mean(piece**2))) + 1e-9)


@functools.cache
def _libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_freed_memory() -> None:
    """Hand memory the recognizer freed back to the system (glibc keeps it otherwise).

    Measured on an hour-long call with faster-whisper: 891 -> 666 MB resident
    after recognition, so speaker embedding starts 225 MB lower."""
    if (libc := _libc()) is not None:
        libc.malloc_trim(0)


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
        segments = transcribe_samples(audio_mod.mono(samples), settings, vocabulary)
    release_freed_memory()
    probs = [w.probability for s in segments for w in (s.words or []) if w.probability is not None]
    return Transcript(duration=duration, segments=segments, source=source,
                      engine=engine_name(settings),
                      confidence=round(float(np.mean(probs)), 3) if probs else None)


def language_problem(transcript: Transcript) -> tuple[str, str] | None:
    """("error"|"warning", message) when the speech does not look like English.

    The default tiny.en model cannot detect languages: on other languages it
    still writes English words, with low confidence. Very low confidence is
    refused with the reason; low confidence is kept and flagged.
    """
    conf = transcript.confidence
    if conf is None:
        return None
    hint = ("the audio may not be English (or is noise/music); the English-only default model "
            f"{DEFAULT_MODEL} cannot transcribe other languages: set whisper_model to a multilingual "
            "model such as base")
    if conf < NOT_ENGLISH_CONFIDENCE:
        return "error", f"speech not recognised as English (mean word confidence {conf:.2f}); {hint}"
    if conf < LOW_CONFIDENCE:
        return "warning", f"low recognition confidence ({conf:.2f}): {hint}"
    return None
