"""The direct transformers encoder must give sentence-transformers' own vectors, or step aside."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    " a leading space and a trailing one ",
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
    assert fast.tokenizer.tokenize("NetSuite's SSO") == reference.tokenizer.tokenize("NetSuite's SSO")


def _variant(encoder_dir: str, where, name: str, change) -> str:
    """A copy of the encoder's configuration (weights left out) with one file changed."""
    copy = where / name
    shutil.copytree(encoder_dir, copy, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    path = copy / change[0]
    data = json.loads(path.read_text()) if path.exists() else {}
    change[1](data)
    path.write_text(json.dumps(data))
    return str(copy)


def test_other_stacks_and_settings_are_left_to_sentence_transformers(encoder_dir, tmp_path):
    """Whatever PooledEncoder would not compute exactly as sentence-transformers does."""
    def dense(modules):
        modules.insert(2, {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})

    def pooling(**modes):
        return lambda cfg: cfg.update(modes)

    variants = {
        "dense layer": ("modules.json", dense),
        "module arguments": ("modules.json", lambda m: m[0].update(kwargs={"backend": "onnx"})),
        "CLS pooling": ("1_Pooling/config.json", pooling(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)),
        "max pooling": ("1_Pooling/config.json", pooling(pooling_mode_mean_tokens=False, pooling_mode_max_tokens=True)),
        "two poolings": ("1_Pooling/config.json", pooling(pooling_mode_max_tokens=True)),
        "lower-casing": ("sentence_bert_config.json", lambda c: c.update(do_lower_case=True)),
        "tokenizer arguments": ("sentence_bert_config.json", lambda c: c.update(tokenizer_args={"model_max_length": 128})),
        "a default prompt": ("config_sentence_transformers.json",
                             lambda c: c.update(prompts={"query": "query: "}, default_prompt_name="query")),
    }
    for name, change in variants.items():
        assert pooled_encoder.load(_variant(encoder_dir, tmp_path, name.replace(" ", "-"), change)) is None, name
    assert pooled_encoder.load(str(tmp_path / "missing")) is None
    assert pooled_encoder.load("sentence-transformers/all-MiniLM-L6-v2") is None  # a hub name
    # An unchanged copy is taken (so the variants above fail for their change, not the copy).
    same = _variant(encoder_dir, tmp_path, "same", ("modules.json", lambda m: None))
    for weights in Path(encoder_dir).glob("*.safetensors"):
        (Path(same) / weights.name).symlink_to(weights)
    assert pooled_encoder.load(same) is not None
