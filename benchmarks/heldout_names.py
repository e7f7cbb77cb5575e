"""The classifier on its held-out slice, as written and with product names it never saw.

The held-out slice is the training deals `handoff train` kept out (its calibration and
thresholds are fitted there, so absolute figures are optimistic; comparisons between two
artifacts are fair). Scored in both forms (as written and in recognizer style), then again
with every product name swapped for everyday words by another seed than training's
(`extractors/name_swap.py`): how the classifier does on competitors named in words it has no
knowledge of, as on real calls.

    python -m benchmarks.heldout_names [--classifier DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from extractors import classifier as clf_module
from extractors import name_swap
from extractors.corpus import KINDS, Conversation, load_train
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
# Not the training seed: stand-ins the classifier was not trained with.
SWAP_SEED = 99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", type=Path, help="artifact directory (default: the settings' one)")
    args = parser.parse_args()
    settings = load_settings()
    report(clf_module.TurnClassifier(args.classifier or Path(settings.classifier_dir)), settings.encoder_model)


def report(classifier: clf_module.TurnClassifier, encoder: str,
           convs: list[Conversation] | None = None) -> dict[str, dict]:
    """Print (and return) the artifact's scores on its held-out deals, as written and swapped
    (`convs`: the training calls, when the caller has them loaded)."""
    seed = classifier.meta["seed"]
    held = set(classifier.meta["held_out_deals"])
    convs = convs or load_train(ROOT / "data" / "train")
    fit = [c for c in convs if c.deal not in held]
    held_convs = [c for c in convs if c.deal in held]
    words = name_swap.vocabulary(fit)
    swapped = [name_swap.swap_names(c, SWAP_SEED, words, encoder) for c in held_convs]
    print(f"held-out slice: {len(held_convs)} conversations of {len(held)} deals, both forms")
    print(f"{'names':10} " + " ".join(f"{k[:12]:>12}" for k in KINDS) + f" {'macro':>6}  competitor P / R")
    scores = {}
    for label, cs in (("as written", held_convs), ("swapped", swapped)):
        x, y = clf_module.both_forms(cs, seed)
        m = scores[label] = clf_module.score(y, classifier.probabilities(x), list(classifier.thresholds))
        comp = m["competitor"]
        print(f"{label:10} " + " ".join(f"{m[k]['f1']:12.3f}" for k in KINDS) +
              f" {m['macro']['f1']:6.3f}  {comp['precision']:.3f} / {comp['recall']:.3f}")
    return scores


if __name__ == "__main__":
    main()
