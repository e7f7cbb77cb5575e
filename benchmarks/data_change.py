"""Does a change to the training data help? Two classifiers on the same held-out turns.

A new training file moves the seeded held-out split (whole deals are shuffled and cut), so the
held-out figures of two artifacts trained on different data come from different turns and a
small difference says nothing. This trains a second classifier on the current `data/train`,
holding out exactly the deals the reference artifact held out (new deals all go to training),
and prints both artifacts on that one slice, as written and with product names swapped
(`benchmarks/heldout_names.py`). Thresholds and calibration of each are fitted on the slice,
so absolute figures are optimistic; the comparison is fair. Takes one training run (~12 min on
2 cores). The development set is not read here: decide on these figures, then score dev once.

    python -m benchmarks.data_change --out /tmp/candidate [--reference .cache/classifier] [--epochs 3]

`--epochs` compares a training-cost change the same way: the candidate trains for that many
epochs instead of the reference's.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.heldout_names import ROOT, report
from extractors import classifier as clf_module
from extractors.corpus import data_version, load_train
from pipeline.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the candidate artifact goes")
    parser.add_argument("--reference", type=Path, help="artifact to compare with (default: the settings' one)")
    parser.add_argument("--epochs", type=int, help="train the candidate this many epochs (default: the reference's)")
    args = parser.parse_args()
    settings = load_settings()
    reference = clf_module.TurnClassifier(args.reference or Path(settings.classifier_dir))
    meta = reference.meta
    train_dir = ROOT / "data" / "train"
    epochs = meta["epochs"] if args.epochs is None else args.epochs
    if epochs != meta["epochs"] and meta["data_version"] != data_version(train_dir):
        raise SystemExit("--epochs compares a training-cost change on the reference's data, "
                         "but data/train changed since the reference was trained")
    if not _trained_like(args.out, meta, train_dir, epochs):
        cfg = clf_module.TrainConfig(
            train_dir, ROOT / "no-dev-here", args.out, meta["encoder"],
            seed=meta["seed"], epochs=epochs, learning_rate=meta["learning_rate"],
            train_layers=meta["train_layers"], asr_share=meta["asr_share"], swap_share=meta["swap_share"],
            held_out_deals=frozenset(meta["held_out_deals"]))
        clf_module.train(cfg)
    candidate = clf_module.TurnClassifier(args.out)
    print(f"\nreference {args.reference or settings.classifier_dir}: {meta['train_turns']} training turns")
    convs = load_train(train_dir)
    report(reference, settings.encoder_model, convs)
    print(f"\ncandidate {args.out}: {candidate.meta['train_turns']} training turns")
    report(candidate, settings.encoder_model, convs)


def _trained_like(out: Path, reference: dict, train_dir: Path, epochs: int) -> bool:
    """A candidate already in `out` is reused only when it holds out the reference's deals and
    was trained on the current data for `epochs`."""
    import json

    try:
        meta = json.loads(out.joinpath("meta.json").read_text())
    except (OSError, ValueError):
        return False
    return meta.get("held_out_deals") == reference["held_out_deals"] and \
        meta.get("data_version") == data_version(train_dir) and meta.get("encoder") == reference["encoder"] \
        and meta.get("epochs") == epochs


if __name__ == "__main__":
    main()
