"""Shared fixtures: an isolated data directory per test, real models, real files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing every output at a temporary folder; models stay cached in the clone."""
    monkeypatch.setenv("HANDOFF_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HANDOFF_CACHE_DIR", str(ROOT / ".cache" / "models"))
    monkeypatch.setenv("HANDOFF_CLASSIFIER_DIR", str(ROOT / ".cache" / "classifier"))
    monkeypatch.chdir(tmp_path)
    return Settings()


def tone(path: Path, seconds: float = 2.0, *extra: str) -> Path:
    """A real encoded file made by ffmpeg (sine or silence) for decoder tests."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", *extra, "-t", str(seconds), str(path)], check=True)
    return path
