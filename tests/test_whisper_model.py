"""The packaged tiny.en weights become a verified openai-whisper checkpoint, once."""

import json

import torch

from pipeline.whisper_model import cached_checkpoint, packaged_ct2_dir, read_ct2


def test_ct2_binary_parses_into_named_tensors():
    tensors = read_ct2(packaged_ct2_dir() / "model.bin")
    assert tensors["encoder/conv1/weight"].shape == (384, 80, 3)
    assert tensors["decoder/embeddings/weight"].shape == (51864, 384)


def test_checkpoint_has_tiny_en_dims_and_loads_strictly(tmp_path):
    import whisper

    path = cached_checkpoint(packaged_ct2_dir(), tmp_path)
    ckpt = torch.load(path, map_location="cpu")
    assert ckpt["dims"] == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
                            "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448,
                            "n_text_state": 384, "n_text_head": 6, "n_text_layer": 4}
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**ckpt["dims"]))
    model.load_state_dict(ckpt["model_state_dict"], strict=True)  # every weight present, none extra


def test_conversion_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path):
    first = cached_checkpoint(packaged_ct2_dir(), tmp_path)
    stamp = first.stat().st_mtime_ns
    assert cached_checkpoint(packaged_ct2_dir(), tmp_path).stat().st_mtime_ns == stamp
    with first.open("r+b") as f:  # flip bytes in the middle of the file
        f.seek(first.stat().st_size // 2)
        f.write(b"\x00" * 64)
    rebuilt = cached_checkpoint(packaged_ct2_dir(), tmp_path)
    meta = json.loads(rebuilt.with_suffix(".json").read_text())
    from pipeline.whisper_model import sha256
    assert sha256(rebuilt) == meta["sha256"]


def test_asking_for_a_gpu_that_is_not_there_is_one_clear_model_error(tmp_path):
    """device=cuda on a CPU-only install stops with a ModelError (fatal to the batch, as a
    wrong model is) for both engines, and auto falls back to the CPU."""
    import numpy as np
    import pytest

    from pipeline import transcribe
    from pipeline.settings import Settings
    from pipeline.whisper_model import ModelError

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    speech = np.zeros(16_000, dtype=np.float32)
    for engine in ("openai-whisper", "faster-whisper"):
        if engine == "faster-whisper":
            import ctranslate2

            if ctranslate2.get_cuda_device_count() > 0:
                continue
        settings = Settings(engine=engine, device="cuda", vad=False, cache_dir=tmp_path)
        with pytest.raises(ModelError, match="cuda"):
            transcribe.transcribe_samples(speech, settings)
        assert transcribe.device_for(Settings(engine=engine, device="auto")) == "cpu"
        assert not transcribe.engine_name(Settings(engine=engine)).endswith(":cuda")


def test_faster_whisper_takes_a_gpu_only_where_cublas_12_loads(monkeypatch):
    """CTranslate2 loads cuBLAS 12 only at its first product: a GPU machine with another CUDA
    (the H100 image we measured on had CUDA 13) must stay on the CPU under auto."""
    import ctypes

    import ctranslate2

    from pipeline import transcribe

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {"float16", "float32"})
    real_cdll = ctypes.CDLL

    def cdll(name, *args, **kwargs):
        if name == "libcublas.so.12" and not cublas_there:
            raise OSError(f"{name}: cannot open shared object file")
        return real_cdll("libc.so.6") if name == "libcublas.so.12" else real_cdll(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", cdll)
    try:
        for cublas_there in (False, True):
            transcribe._gpu_usable.cache_clear()
            assert transcribe._gpu_usable("faster-whisper") is cublas_there
    finally:
        transcribe._gpu_usable.cache_clear()
