"""The JSON contracts of `handoff transcribe` and `handoff extract` (DESIGN.md)."""

import json

import pytest

from tests.conftest import MINI
from tests.test_end_to_end import handoff

pytestmark = pytest.mark.slow

TRANSCRIPT = """[00:00:01] Priya Shah: Hi Dana, thanks for making time today.
[00:00:05] Dana Ruiz: Sure. Honestly month-end close takes my team six days and it is killing us.
[00:00:12] Priya Shah: Got it. I'll send you the SOC 2 report by Friday so security can start their review.
[00:00:19] Dana Ruiz: Great. Marcus, our CFO, signs off on anything over fifty thousand.
"""


def test_transcribe_json_contract(tmp_path):
    proc = handoff("transcribe", str(MINI / "mini-call.mp3"), "--json", cwd=tmp_path, data=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"duration", "language", "segments"} and out["language"] == "en"
    assert out["duration"] > 20
    seg = out["segments"][0]
    assert set(seg) == {"start", "end", "speaker", "role", "text"}
    assert all(s["role"] in ("rep", "customer", "unknown") for s in out["segments"])
    assert all(0 <= s["start"] <= s["end"] <= out["duration"] + 1 for s in out["segments"])


def test_extract_json_contract_on_a_transcript(tmp_path):
    path = tmp_path / "call.txt"
    path.write_text(TRANSCRIPT)
    proc = handoff("extract", str(path), "--json", cwd=tmp_path, data=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)["items"]
    assert items
    for item in items:
        assert set(item) == {"kind", "text", "quote", "speaker", "start", "end", "confidence", "attributes"}
        assert item["quote"] in TRANSCRIPT  # evidence is verbatim
        assert 0 <= item["confidence"] <= 1
    kinds = {i["kind"] for i in items}
    assert "commitment" in kinds
    commitment = next(i for i in items if i["kind"] == "commitment")
    assert commitment["speaker"] == "Priya Shah" and commitment["attributes"]["stated_by"] == "vendor"


def test_extract_reports_a_bad_file_in_one_line(tmp_path):
    path = tmp_path / "call.vtt"
    path.write_text("not a vtt")
    proc = handoff("extract", str(path), "--json", cwd=tmp_path, data=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "call.vtt" in proc.stderr
