"""`make bench`: speed and memory of the stages on the bundled samples.

Each measurement runs in a fresh subprocess so its peak memory (max RSS) is
its own. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"

_STAGE = r"""
import json, resource, sys, time
from pathlib import Path
from pipeline import audio, ingest
from pipeline.process import load_transcript, call_context
from pipeline.settings import Settings
from extractors.extract import extract_items
settings = Settings()
path = Path(sys.argv[1])
deals = ingest.load_deals(path.parent)
rec = ingest.describe(path, deals, ingest.load_call_facts(path.parent))
deal = deals.get(rec.deal_id or "")
t0 = time.perf_counter()
transcript = load_transcript(rec, deal, settings)
t1 = time.perf_counter()
# Second call: models are loaded, so this is the steady-state cost per call.
transcript = load_transcript(rec, deal, settings)
t2 = time.perf_counter()
items = extract_items(transcript, call_context(rec, deal, transcript), settings)
t3 = time.perf_counter()
items = extract_items(transcript, call_context(rec, deal, transcript), settings)
t4 = time.perf_counter()
print(json.dumps({"duration": transcript.duration, "first_transcribe": t1 - t0, "transcribe": t2 - t1,
                  "first_extract": t3 - t2, "extract": t4 - t3, "items": len(items),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _STAGE, str(path)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    files = sorted(p for p in SAMPLES.iterdir() if p.suffix in {".mp3", ".m4a", ".wav"})
    print(f"{'recording':28} {'audio s':>7} {'transcribe s':>12} {'RTF':>5} {'extract s':>9} {'items':>5} {'peak MB':>8}")
    for path in files:
        r = measure(path)
        print(f"{path.name:28} {r['duration']:7.1f} {r['transcribe']:12.1f} {r['transcribe'] / r['duration']:5.2f} "
              f"{r['extract']:9.2f} {r['items']:5d} {r['max_rss_mb']:8.0f}")
    print("RTF = transcription seconds per second of audio (openai-whisper tiny.en, beam 5, "
          "word timestamps, speakers included), models already loaded.")


if __name__ == "__main__":
    main()
