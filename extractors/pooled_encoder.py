"""A sentence encoder run directly on transformers, for the plainest sentence-transformers stack.

Importing sentence-transformers costs about 0.7-1.0 s on 2 cores (it pulls in scikit-learn
and scipy through its utilities), a fifth of the extractor's model loading. The encoder we ship
is only "transformer, mean pooling, L2 normalisation", configured by nothing but a maximum
length; for such a model this module computes the same vectors with the transformers model the
classifier has already imported. Anything else (prompts, lower-casing, other poolings, dense
layers, tokenizer or model arguments, modules saved by sentence-transformers 5+ under their new
type names) is left to sentence-transformers itself: `load` returns None.
`tests/test_pooled_encoder.py` checks the vectors against sentence-transformers.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np

_STACK = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling"]
_NORMALIZE = "sentence_transformers.models.Normalize"
# Pooling settings that change nothing when only mean pooling is on and no prompt is used.
_PLAIN_POOLING = {"word_embedding_dimension", "pooling_mode_mean_tokens", "include_prompt"}


class PooledEncoder:
    """`encode(texts, normalize_embeddings, batch_size)` and `tokenizer`, as SentenceTransformer has."""

    def __init__(self, path: Path, normalize: bool, max_length: int):
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.normalize, self.max_length = normalize, max_length
        # Only the inputs the model's forward takes (a RoBERTa tokenizer gives no token types).
        self._inputs = set(inspect.signature(self.model.forward).parameters)

    def encode(self, texts: list[str] | str, normalize_embeddings: bool = False,
               batch_size: int = 32, **_: object) -> np.ndarray:
        import torch

        single = isinstance(texts, str)
        batch_texts = [texts] if single else list(texts)
        # Longest first, as sentence-transformers does, so each batch pads to similar lengths.
        order = sorted(range(len(batch_texts)), key=lambda i: -len(batch_texts[i]))
        out = np.zeros((len(batch_texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                enc = self.tokenizer([batch_texts[i] for i in idx], padding=True, truncation="longest_first",
                                     max_length=self.max_length, return_tensors="pt")
                tokens = self.model(**{k: v for k, v in enc.items() if k in self._inputs}).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                vecs = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                if self.normalize or normalize_embeddings:
                    vecs = torch.nn.functional.normalize(vecs, p=2, dim=1)
                out[idx] = vecs.float().numpy()
        return out[0] if single else out


def _json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def load(path: str) -> PooledEncoder | None:
    """The encoder at `path` when it is the plain stack this module computes exactly; None for
    anything else (a hub name, other modules or settings)."""
    root = Path(path)
    modules = _json(root / "modules.json")
    if not isinstance(modules, list):
        return None
    types = [m.get("type") for m in modules]
    if types not in (_STACK, [*_STACK, _NORMALIZE]) or modules[0].get("path") or \
            any(m.get("kwargs") for m in modules):
        return None
    pooling = _json(root / modules[1].get("path", "") / "config.json")
    settings = _json(root / "sentence_bert_config.json")
    about = _json(root / "config_sentence_transformers.json") or {}
    if not isinstance(pooling, dict) or not isinstance(settings, dict) or not isinstance(about, dict):
        return None
    mean_only = pooling.get("pooling_mode_mean_tokens") is True and \
        not any(v for k, v in pooling.items() if k not in _PLAIN_POOLING)
    plain = set(settings) <= {"max_seq_length", "do_lower_case"} and not settings.get("do_lower_case") \
        and isinstance(settings.get("max_seq_length"), int)
    no_prompt = not about.get("prompts") and not about.get("default_prompt_name")
    if not (mean_only and plain and no_prompt):
        return None
    return PooledEncoder(root, normalize=len(types) == 3, max_length=settings["max_seq_length"])
