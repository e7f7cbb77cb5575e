"""`make bench` (extraction part): model loading time and the time to extract
items from a one-hour call (about 9,000 words at 150 words a minute) and from a
50,000-word transcript, after the models are loaded. Printed, never asserted.

The long transcripts are the labelled development calls strung together with
times (their words, not their labels, are what matters here); past about
10,000 words the calls come round again, each turn opened by another filler.
"""

from __future__ import annotations

import datetime as dt
import resource
import time
from pathlib import Path

from models import Segment, Transcript

ROOT = Path(__file__).resolve().parents[1]
WORDS_PER_SECOND = 2.5  # 150 words a minute


def long_transcript(words: int) -> Transcript:
    from extractors.corpus import load_dev

    convs = load_dev(ROOT / "data" / "dev" / "calls")
    segments, t, count = [], 0.0, 0
    lap = 0
    while count < words:
        # Each pass over the calls opens its turns differently, so no text repeats
        # (the extractor embeds each distinct text once).
        opener = ["", "so ", "okay ", "right ", "well ", "yeah ", "and ", "um ", "look ", "alright "][lap % 10]
        lap += 1
        for conv in convs:
            for turn in conv.turns:
                text = opener + turn.text
                n = len(text.split())
                segments.append(Segment(start=t, end=t + n / WORDS_PER_SECOND, speaker=turn.speaker,
                                        role=turn.role, text=text))
                t += n / WORDS_PER_SECOND + 0.5
                count += n
                if count >= words:
                    return Transcript(duration=t, segments=segments, source=f"{words}-words")
    return Transcript(duration=t, segments=segments, source=f"{words}-words")


def main() -> None:
    from extractors import buying_roles
    from extractors.classifier import load_classifier
    from extractors.extract import CallContext, extract_items
    from extractors.nlp import sentence_encoder, spacy_pipeline
    from pipeline.settings import load_settings

    settings = load_settings()
    started = time.perf_counter()
    load_classifier(str(settings.classifier_dir))
    spacy_pipeline(settings.spacy_model)
    sentence_encoder(settings.encoder_model)
    buying_roles.load(str(settings.classifier_dir), settings.encoder_model)
    loading = time.perf_counter() - started
    print(f"model loading (classifier, spaCy, sentence encoder, role model): {loading:.1f} s")
    print(f"{'transcript':22} {'words':>7} {'turns':>6} {'audio min':>9} {'items':>6} {'extract s':>9}")
    for words in (9_000, 50_000):
        transcript = long_transcript(words)
        ctx = CallContext(recording_id=transcript.source, call_date=dt.date(2026, 6, 1),
                          people=transcript.speakers())
        started = time.perf_counter()
        items = extract_items(transcript, ctx, settings)
        took = time.perf_counter() - started
        n_words = sum(len(s.text.split()) for s in transcript.segments)
        print(f"{transcript.source:22} {n_words:7} {len(transcript.segments):6} "
              f"{transcript.duration / 60:9.1f} {len(items):6} {took:9.1f}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
