"""The direct transformers encoder must give sentence-transformers' own vectors, or step aside."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from extractors import nlp, pooled_encoder
from pipeline.settings import load_settings

TEXTS = [
    "yeah so the thing that kills us every month-end is the reconciliation",
    "  Dana Ruiz, our CFO, signs off on anything over fifty thousand.  ",
    "ok",
    "we'll get you the SSO docs by Friday " * 60,  # past the 256-token limit: truncated alike
    "",
]


@pytest.fixture(scope="module")
def encoder_dir() -> str:
    return nlp.encoder_path(load_settings().encoder_model)


@pytest.mark.slow
def test_vectors_match_sentence_transformers(encoder_dir):
    from sentence_transformers import SentenceTransformer

    fast = pooled_encoder.load(encoder_dir)
    assert fast is not None, "the packaged encoder is a transformer + mean pooling + normalize stack"
    reference = SentenceTransformer(encoder_dir, device="cpu")
    ours = fast.encode(TEXTS, normalize_embeddings=True, batch_size=2)
    theirs = reference.encode(TEXTS, normalize_embeddings=True, batch_size=2)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    single = fast.encode("the rollout slipped a quarter")
    assert single.shape == (384,)
    assert np.abs(single - reference.encode("the rollout slipped a quarter")).max() < 1e-5
    assert fast.tokenizer.tokenize("Gong") == reference.tokenizer.tokenize("Gong")


def test_other_module_stacks_are_left_to_sentence_transformers(encoder_dir, tmp_path):
    """A dense layer after pooling, or max pooling, is not what PooledEncoder computes."""
    dense = tmp_path / "dense"
    shutil.copytree(encoder_dir, dense, ignore=shutil.ignore_patterns("*.safetensors"))
    modules = json.loads((dense / "modules.json").read_text())
    modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (dense / "modules.json").write_text(json.dumps(modules))
    assert pooled_encoder.load(str(dense)) is None

    max_pool = tmp_path / "max"
    shutil.copytree(encoder_dir, max_pool, ignore=shutil.ignore_patterns("*.safetensors"))
    cfg_path = max_pool / "1_Pooling" / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.update(pooling_mode_mean_tokens=False, pooling_mode_max_tokens=True)
    cfg_path.write_text(json.dumps(cfg))
    assert pooled_encoder.load(str(max_pool)) is None

    assert pooled_encoder.load(str(tmp_path / "missing")) is None
    assert pooled_encoder.load("sentence-transformers/all-MiniLM-L6-v2") is None  # a hub name
