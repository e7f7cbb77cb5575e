"""Decoding recordings with ffmpeg into 16 kHz float32 samples.

ffmpeg reads every container call recorders produce (wav, mp3, m4a, video...);
we ask it for raw PCM on a pipe so no temporary files are written.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
# Below this RMS (about -60 dBFS) a recording holds no usable speech.
SILENCE_RMS = 1e-3
BLOCK_BYTES = 1 << 20  # PCM read from ffmpeg per step
# Decoding less than this share of the length the container declares means the
# file was cut off (VBR estimates are off by a few percent, not by a fifth).
TRUNCATED_SHARE = 0.8


class AudioError(ValueError):
    """A recording that cannot be used, with a message a user can act on."""


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    channels: int
    codec: str


def probe(path: Path) -> AudioInfo:
    """Read duration and channel count of the first audio stream."""
    if path.stat().st_size == 0:
        raise AudioError("empty file (0 bytes)")
    cmd = ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
           "stream=channels,codec_name,duration:format=duration", "-of", "json", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        cause = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "unknown"
        raise AudioError(f"not a readable audio file ({_short(cause, path)})")
    info = json.loads(proc.stdout or "{}")
    streams = info.get("streams") or []
    if not streams:
        raise AudioError("no audio stream in the file")
    stream = streams[0]
    duration = stream.get("duration") or info.get("format", {}).get("duration") or 0
    return AudioInfo(float(duration), int(stream.get("channels") or 1), stream.get("codec_name", "?"))


def _short(message: str, path: Path) -> str:
    return message.replace(str(path), "").strip(" :") or "unknown error"


def decode(path: Path, max_seconds: float | None = None) -> np.ndarray:
    """Decode to a (channels, samples) float32 array at 16 kHz, keeping channels apart.

    ffmpeg's PCM is read from the pipe in blocks straight into one preallocated
    float32 array (sized from the probed duration, grown if that was short), so
    decoding holds no second copy of the recording: 230 MB per channel-hour.
    """
    info = probe(path)
    if max_seconds and info.duration > max_seconds:
        raise AudioError(f"recording is {info.duration / 3600:.1f} h, over the limit of "
                         f"{max_seconds / 3600:.1f} h (setting max_audio_seconds)")
    channels = min(info.channels, 2)  # more than two channels are folded by ffmpeg
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-vn", "-f", "s16le",
           "-acodec", "pcm_s16le", "-ac", str(channels), "-ar", str(SAMPLE_RATE), "-"]
    # ffmpeg's messages go to a file: a pipe nobody reads while PCM flows could fill and block it.
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors)
    audio = np.zeros((channels, int((info.duration + 1) * SAMPLE_RATE)), dtype=np.float32)
    filled = 0
    frame = 2 * channels
    pending = b""
    while block := proc.stdout.read(BLOCK_BYTES):
        block = pending + block
        usable = len(block) - len(block) % frame
        pending = block[usable:]
        pcm = np.frombuffer(block[:usable], np.int16).reshape(-1, channels).T
        if filled + pcm.shape[1] > audio.shape[1]:  # the container under-reported its length
            audio = np.concatenate([audio, np.zeros_like(audio)], axis=1)
        audio[:, filled:filled + pcm.shape[1]] = pcm / 32768.0
        filled += pcm.shape[1]
    proc.wait()
    errors.seek(0)
    cause = errors.read().decode(errors="replace").strip().splitlines()
    errors.close()
    if proc.returncode != 0 and filled == 0:
        raise AudioError(f"cannot decode audio ({_short(cause[-1] if cause else 'unknown', path)})")
    if filled < SAMPLE_RATE // 2:
        raise AudioError("no decodable audio (under half a second)")
    seconds = filled / SAMPLE_RATE
    if info.duration and seconds < TRUNCATED_SHARE * info.duration:
        raise AudioError(f"truncated or damaged: only {seconds:.0f} s of {info.duration:.0f} s decode")
    if max_seconds and seconds > max_seconds:
        raise AudioError(f"recording is {seconds / 3600:.1f} h, over the limit of "
                         f"{max_seconds / 3600:.1f} h (setting max_audio_seconds)")
    # A view when the estimate was close; a copy when the array had to grow.
    audio = audio[:, :filled] if audio.shape[1] <= filled * 1.1 else audio[:, :filled].copy()
    mean_square = sum(float(np.dot(c, c)) for c in audio) / audio.size  # no temporary copy
    if np.sqrt(mean_square) < SILENCE_RMS:
        raise AudioError("silent recording (no signal above -60 dBFS)")
    return audio


def is_stereo_call(audio: np.ndarray) -> bool:
    """True when the two channels carry different voices, not a copy of one mix."""
    if audio.shape[0] < 2:
        return False
    left, right = audio[0], audio[1]
    if np.allclose(left, right, atol=1e-3):
        return False
    corr = np.corrcoef(left, right)[0, 1]
    return bool(np.isnan(corr) or corr < 0.9)


def mono(audio: np.ndarray) -> np.ndarray:
    """One channel: the only one as it is (no copy), or the mix of two."""
    return audio[0] if audio.shape[0] == 1 else audio.mean(axis=0, dtype=np.float32)
