"""`make bench`: speed and memory of transcription, printed, never asserted.

Builds one long recording (the Northwind sample calls back to back, over 10
minutes, mono) and measures, each in a fresh process so peak memory is its own:
- each engine alone (openai-whisper, faster-whisper; same tiny.en weights,
  beam 5, word timestamps, voice-activity detection),
- the whole transcribe stage (decode + recognition + speakers + roles).
Then it prints the word error rate of both engines on the sample calls.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
LONG_PARTS = ["northwind-discovery.mp3", "northwind-demo.m4a", "northwind-pricing.mp3", "northwind-close.wav"]

_MEASURE = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline import audio, transcribe
from pipeline.process import load_transcript
from pipeline.ingest import describe
from pipeline.settings import Settings
path, engine, whole = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
settings = Settings(engine=engine)
t0 = time.perf_counter()
if whole:
    t = load_transcript(describe(path, {}, {}), None, settings)
else:
    t = transcribe.transcribe_audio(audio.decode(path), settings)
took = time.perf_counter() - t0
print(json.dumps({"seconds": took, "duration": t.duration, "segments": len(t.segments),
                  "speakers": len(t.speakers()),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def long_recording(folder: Path) -> Path:
    out = folder / "long-call.wav"
    inputs = sum((["-i", str(SAMPLES / p)] for p in LONG_PARTS), [])
    graph = "".join(f"[{i}:a]" for i in range(len(LONG_PARTS))) + f"concat=n={len(LONG_PARTS)}:v=0:a=1"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, "-ac", "1", "-ar",
                    "16000", str(out)], check=True)
    return out


def measure(path: Path, engine: str, whole: bool) -> dict:
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path), engine, "1" if whole else "0"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = long_recording(Path(tmp))
        print(f"{'what':44} {'audio s':>7} {'wall s':>7} {'RTF':>6} {'peak MB':>8} {'speakers':>8}")
        for whole in (False, True):
            for engine in ("openai-whisper", "faster-whisper"):
                r = measure(path, engine, whole)
                what = f"{'transcribe stage with speakers' if whole else 'recognition only'} ({engine})"
                print(f"{what:44} {r['duration']:7.0f} {r['seconds']:7.1f} {r['seconds'] / r['duration']:6.3f} "
                      f"{r['max_rss_mb']:8.0f} {r['speakers'] if whole else '':>8}")
    print("RTF: wall seconds per second of audio, model load included; 2 CPU cores unless stated.")
    for engine in ("openai-whisper", "faster-whisper"):
        print()
        subprocess.run([sys.executable, "-m", "benchmarks.wer", "--engine", engine], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
