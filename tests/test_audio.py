"""Decoding real encoded files, and the errors bad recordings give."""

import subprocess

import numpy as np
import pytest

from pipeline.audio import SAMPLE_RATE, AudioError, decode, is_stereo_call
from tests.conftest import tone

SINE = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]


@pytest.mark.parametrize("suffix", ["wav", "mp3", "m4a", "ogg", "flac"])
def test_formats_decode_to_16k_with_the_same_length(tmp_path, suffix):
    audio = decode(tone(tmp_path / f"t.{suffix}", 2.0, *SINE))
    assert audio.shape[0] == 1
    assert audio.shape[1] / SAMPLE_RATE == pytest.approx(2.0, abs=0.1)
    assert 0.1 < float(np.abs(audio).max()) <= 1.0


def test_stereo_channels_are_kept_apart(tmp_path):
    path = tmp_path / "stereo.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=440", "-f", "lavfi",
                    "-i", "anullsrc=r=44100:cl=mono", "-filter_complex", "[0:a][1:a]join=inputs=2:channel_layout=stereo",
                    "-t", "2", str(path)], check=True)
    audio = decode(path)
    assert audio.shape[0] == 2
    assert np.abs(audio[0]).max() > 0.1 and np.abs(audio[1]).max() < 1e-3


def test_a_stereo_file_holding_one_mix_twice_is_not_a_two_sided_call(tmp_path):
    audio = decode(tone(tmp_path / "dual.wav", 2.0, *SINE, "-ac", "2"))
    assert audio.shape[0] == 2 and not is_stereo_call(audio)


def test_empty_file(tmp_path):
    (tmp_path / "e.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty file"):
        decode(tmp_path / "e.wav")


def test_text_file_named_mp3(tmp_path):
    (tmp_path / "notes.mp3").write_text("these are meeting notes, not audio\n" * 50)
    with pytest.raises(AudioError, match="not a readable audio file|no decodable audio|cannot decode"):
        decode(tmp_path / "notes.mp3")


def test_silent_recording(tmp_path):
    path = tone(tmp_path / "silence.mp3", 3.0, "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono")
    with pytest.raises(AudioError, match="silent recording"):
        decode(path)


def test_truncated_mp3_header_only(tmp_path):
    full = tone(tmp_path / "full.mp3", 3.0, *SINE)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(full.read_bytes()[:200])
    with pytest.raises(AudioError):
        decode(cut)


def test_over_the_length_limit(tmp_path):
    with pytest.raises(AudioError, match="over the limit"):
        decode(tone(tmp_path / "long.mp3", 3.0, *SINE), max_seconds=1.0)


def test_video_without_an_audio_track(tmp_path):
    path = tone(tmp_path / "screen.mp4", 2.0, "-f", "lavfi", "-i", "color=c=black:s=160x120:r=5", "-c:v", "libx264")
    with pytest.raises(AudioError, match="no audio stream"):
        decode(path)


def test_wrong_extension_is_read_by_its_content(tmp_path):
    mp3 = tone(tmp_path / "call.mp3", 2.0, *SINE)
    renamed = tmp_path / "call.wav"
    renamed.write_bytes(mp3.read_bytes())
    assert decode(renamed).shape[1] / SAMPLE_RATE == pytest.approx(2.0, abs=0.15)


def test_noise_only_recording_has_no_speech_to_transcribe(tmp_path):
    from pipeline import vad

    noise = decode(tone(tmp_path / "hiss.wav", 6.0, "-f", "lavfi", "-i", "anoisesrc=color=brown:amplitude=0.3"))
    assert vad.speech_share(noise[0]) < 0.2


def test_a_recording_cut_in_half_is_reported_as_truncated(tmp_path):
    full = tone(tmp_path / "full.mp3", 20.0, *SINE)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(AudioError, match="truncated"):
        decode(cut)
