"""A sentence encoder run directly on transformers, for the common sentence-transformers stack.

Importing sentence-transformers costs about 0.7-1.0 s on 2 cores (it pulls in scikit-learn
and scipy through its utilities), a fifth of the extractor's model loading. The models we
ship and most others are only "transformer, mean or CLS pooling, optional L2 normalisation";
for those this module reads the same configuration files and computes the same vectors with
the transformers model the classifier has already imported. Any other module stack (dense
layers, other poolings, custom code) is left to sentence-transformers itself (`load` returns
None). `tests/test_pooled_encoder.py` checks the vectors against sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_POOLINGS = ("pooling_mode_mean_tokens", "pooling_mode_cls_token")


class PooledEncoder:
    """`encode(texts, normalize_embeddings, batch_size)` and `tokenizer`, as SentenceTransformer has."""

    def __init__(self, path: Path, pooling: str, normalize: bool, max_length: int, lower_case: bool):
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.pooling, self.normalize = pooling, normalize
        self.max_length, self.lower_case = max_length, lower_case

    def encode(self, texts: list[str] | str, normalize_embeddings: bool = False,
               batch_size: int = 32, **_: object) -> np.ndarray:
        import torch

        single = isinstance(texts, str)
        batch_texts = [texts] if single else list(texts)
        batch_texts = [t.strip().lower() if self.lower_case else t.strip() for t in batch_texts]
        # Longest first, as sentence-transformers does, so each batch pads to similar lengths.
        order = sorted(range(len(batch_texts)), key=lambda i: -len(batch_texts[i]))
        out = np.zeros((len(batch_texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                enc = self.tokenizer([batch_texts[i] for i in idx], padding=True, truncation=True,
                                     max_length=self.max_length, return_tensors="pt")
                tokens = self.model(**enc).last_hidden_state
                if self.pooling == "pooling_mode_cls_token":
                    vecs = tokens[:, 0]
                else:
                    mask = enc["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                    vecs = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                if self.normalize or normalize_embeddings:
                    vecs = torch.nn.functional.normalize(vecs, p=2, dim=1)
                out[idx] = vecs.float().numpy()
        return out[0] if single else out


def load(path: str) -> PooledEncoder | None:
    """The encoder at `path` when its modules are a transformer, mean or CLS pooling and an
    optional normalisation; None for anything else (a hub name, other modules)."""
    root = Path(path)
    try:
        modules = json.loads((root / "modules.json").read_text())
    except (OSError, ValueError):
        return None
    types = [m.get("type") for m in modules]
    if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]) or modules[0].get("path"):
        return None
    try:
        pooling_cfg = json.loads((root / modules[1]["path"] / "config.json").read_text())
        st_cfg = json.loads((root / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError):
        return None
    if "max_seq_length" not in st_cfg:
        return None
    chosen = [k for k, v in pooling_cfg.items() if k.startswith("pooling_mode") and v]
    if len(chosen) != 1 or chosen[0] not in _POOLINGS or pooling_cfg.get("include_prompt") is False:
        return None
    return PooledEncoder(root, chosen[0], normalize=len(types) == 3,
                         max_length=int(st_cfg["max_seq_length"]),
                         lower_case=bool(st_cfg.get("do_lower_case")))
