"""Recognition on an NVIDIA GPU: the figures of `make bench`, with `device = cuda`.

`python -m benchmarks.gpu [--engine E ...] [--device cpu]` runs each engine in a fresh process
on the same long recording as `benchmarks.run` (the Northwind sample calls back
to back, mono, over 15 minutes), with the same weights, beam 5, word timestamps
and voice-activity detection, and prints: real-time factor (model load
included), peak host memory, GPU memory the process holds at the end (NVML), and
the word error rate over the sample recordings that have reference transcripts.
Recognition only: speaker turns and roles run on the CPU either way.

GPU images often lack the ffmpeg command; audio is then decoded with PyAV
(faster-whisper's own decoder: the same ffmpeg libraries, linked in).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.run import LONG_PARTS, ROOT, SAMPLES

_MEASURE = r"""
import json, os, resource, sys, time
from pathlib import Path
import jiwer, numpy as np
from benchmarks.gpu import decode
from benchmarks.run import LONG_PARTS, SAMPLES
from pipeline import transcribe
from pipeline.evaluation import normalise, reference_for
from pipeline.settings import load_settings

settings = load_settings(engine=sys.argv[1], device=sys.argv[2])
long_call = np.concatenate([decode(SAMPLES / p).mean(axis=0, dtype=np.float32) for p in LONG_PARTS])[None]
t0 = time.perf_counter()
transcribe.load_engine(settings)
loaded = time.perf_counter() - t0
t = transcribe.transcribe_audio(long_call, settings)
took = time.perf_counter() - t0
refs, hyps = [], []
for path in sorted(p for p in SAMPLES.iterdir() if p.suffix in {".mp3", ".m4a", ".wav"}):
    if ref := reference_for(path):
        refs.append(normalise(" ".join(s["text"] for s in ref["segments"])))
        hyps.append(normalise(transcribe.transcribe_audio(decode(path), settings).text()))
gpu_mb = None
try:
    import pynvml
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    gpu_mb = sum(p.usedGpuMemory or 0 for p in pynvml.nvmlDeviceGetComputeRunningProcesses(handle)
                 if p.pid == os.getpid()) / 2**20 or None
except Exception:
    pass
print(json.dumps({"seconds": took, "load": loaded, "duration": t.duration, "engine": t.engine,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "gpu_mb": gpu_mb, "wer": jiwer.wer(refs, hyps), "files": len(refs)}))
"""


def decode(path: Path):
    """(channels, samples) float32 at 16 kHz: pipeline.audio with ffmpeg, else PyAV."""
    if shutil.which("ffmpeg") and shutil.which("ffprobe"):
        from pipeline.audio import decode as ffmpeg_decode

        return ffmpeg_decode(path)
    import numpy as np
    from faster_whisper.audio import decode_audio

    channels = decode_audio(str(path), sampling_rate=16_000, split_stereo=True)
    left, right = channels
    return np.stack([left] if np.array_equal(left, right) else [left, right])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", action="append", choices=["openai-whisper", "faster-whisper"])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"],
                        help="cpu: the same measurement on this machine's CPU, for comparison")
    args = parser.parse_args()
    engines = args.engine or ["openai-whisper", "faster-whisper"]
    print(f"long recording: {' + '.join(LONG_PARTS)} (mono); WER over {SAMPLES.name} recordings")
    print(f"{'engine':44} {'audio s':>7} {'load s':>6} {'wall s':>7} {'RTF':>6} {'host MB':>8} {'GPU MB':>7} "
          f"{'WER':>6}")
    for engine in engines:
        proc = subprocess.run([sys.executable, "-c", _MEASURE, engine, args.device], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            cause = (proc.stderr.strip().splitlines() or ["unknown"])[-1]
            print(f"{engine:44} failed: {cause}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        gpu = f"{r['gpu_mb']:7.0f}" if r["gpu_mb"] else f"{'?':>7}"
        print(f"{r['engine']:44} {r['duration']:7.0f} {r['load']:6.1f} {r['seconds']:7.1f} "
              f"{r['seconds'] / r['duration']:6.3f} "
              f"{r['max_rss_mb']:8.0f} {gpu} {r['wer']:6.3f}")
    print("wall s and RTF (wall seconds per second of audio) include the load; a first run's load also "
          "converts the default weights (cached after).")


if __name__ == "__main__":
    main()
