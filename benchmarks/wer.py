"""Word error rate and speaker attribution of the transcribe stage.

`python -m benchmarks.wer [--engine E] [--beam N] [FILES...]` transcribes each
recording that has a reference transcript (`data/samples/reference/<id>.json`
or a `<name>.ref.json` beside it) and prints, per file and overall:
- WER (jiwer, after lower-casing and dropping punctuation; numbers as written),
- attribution: share of recognised words given to the right speaker, after the
  best one-to-one mapping of our speaker labels onto the reference speakers,
- role accuracy: share of recognised words with the right side (rep/customer).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jiwer
import numpy as np

from pipeline import ingest
from pipeline.evaluation import attribution, normalise, reference_for
from pipeline.process import load_transcript
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--engine", default=None)
    parser.add_argument("--beam", type=int, default=None)
    parser.add_argument("--no-vad", action="store_true")
    args = parser.parse_args()
    settings = load_settings(engine=args.engine, beam_size=args.beam, vad=False if args.no_vad else None)
    files = args.files or sorted(p for p in (ROOT / "data" / "samples").iterdir()
                                 if p.suffix in ingest.AUDIO_SUFFIXES)
    print(f"engine {settings.engine}, model {settings.whisper_model}, beam {settings.beam_size}, vad {settings.vad}")
    print(f"{'recording':28} {'audio s':>7} {'WER':>6} {'speaker':>8} {'role':>6} {'RTF':>5}")
    refs, hyps, total_audio, total_time, attr, role = [], [], 0.0, 0.0, [], []
    for path in files:
        ref = reference_for(path)
        if ref is None:
            continue
        deals = ingest.load_deals(path.parent)
        rec = ingest.describe(path, deals, ingest.load_call_facts(path.parent))
        started = time.perf_counter()
        hyp = load_transcript(rec, deals.get(rec.deal_id or ""), settings)
        took = time.perf_counter() - started
        r_text = normalise(" ".join(s["text"] for s in ref["segments"]))
        h_text = normalise(hyp.text())
        wer = jiwer.wer(r_text, h_text)
        a, ro = attribution(hyp, ref)
        refs.append(r_text)
        hyps.append(h_text)
        total_audio += hyp.duration
        total_time += took
        attr.append(a)
        role.append(ro)
        print(f"{path.name:28} {hyp.duration:7.1f} {wer:6.3f} {a:8.2f} {ro:6.2f} {took / hyp.duration:5.2f}")
    if refs:
        print(f"{'all':28} {total_audio:7.1f} {jiwer.wer(refs, hyps):6.3f} {np.mean(attr):8.2f} "
              f"{np.mean(role):6.2f} {total_time / total_audio:5.2f}")
    print("RTF includes model loading on the first file; WER is over all words of all files.")


if __name__ == "__main__":
    main()
