"""Settings: flags beat HANDOFF_* environment, which beats the config file."""

from pipeline.settings import load_settings


def test_precedence_flag_env_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "handoff.toml").write_text('beam_size = 2\nwhisper_model = "base.en"\nvendor_name = "Relaywise"\n')
    monkeypatch.setenv("HANDOFF_BEAM_SIZE", "3")
    s = load_settings()
    assert s.vendor_name == "Relaywise" and s.whisper_model == "base.en"  # from the file
    assert s.beam_size == 3  # environment beats the file
    assert load_settings(beam_size=1).beam_size == 1  # a flag beats both


def test_config_file_named_by_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text('data_dir = "/srv/handoff"\n')
    monkeypatch.setenv("HANDOFF_CONFIG", str(cfg))
    s = load_settings()
    assert str(s.database) == "/srv/handoff/handoff.duckdb"


def test_defaults_work_on_the_bundled_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert str(s.inbox) == "data/samples" and s.whisper_model == "tiny.en" and s.threshold is None


def test_a_bad_setting_is_one_clear_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "call.txt").write_text("[00:00:01] Dana: hello\n")
    result = CliRunner().invoke(app, ["transcribe", str(tmp_path / "call.txt"), "--engine", "bogus"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: setting engine:") and result.output.count("\n") == 1
