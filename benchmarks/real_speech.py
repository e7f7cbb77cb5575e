"""Word error rate and speaker attribution on real human speech.

Our sample calls are synthesized voices; this measures the same stage on
recordings of people, taken from packages on PyPI that ship them (fetched
with pip into `.cache/real-speech/`, never committed):

| recording | package (file) | licence of the recording |
|---|---|---|
| JFK, inaugural address 1961 (11 s) | pywhispercpp 1.5.1 sdist (`whisper.cpp/samples/jfk.wav`) | US government work, public domain; package MIT |
| 5 LibriVox clips of *Sense and Sensibility* (26 s) | pocketsphinx 5.1.1 sdist (`test/data/librivox/`) | LibriVox recordings are public domain; package BSD-2 |
| two-person telephone conversation (30 s) with speaker (RTTM) and word (STM) references | pyannote.audio 4.0.7 wheel (`pyannote/audio/sample/`) | shipped in an MIT package; the recording's own origin is not documented |

`python -m benchmarks.real_speech [--engine E] [--beam N]` prints WER per
recording and overall, and speaker attribution on the conversation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import jiwer

from pipeline import ingest
from pipeline.evaluation import attribution, normalise
from pipeline.process import load_transcript
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "real-speech"
JFK_TEXT = ("And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.")
LIBRIVOX = [f"sense_and_sensibility_01_austen_64kb-{n}" for n in ("0870", "0880", "0890", "0920", "0930")]


# The exact files, pinned by hash: the references below describe these bytes.
PACKAGES = {
    "pywhispercpp-1.5.1.tar.gz": "5df897e5dd9d9f16804fc937bd85b9f5880a0b29a55f8843585e0e03d76195e5",
    "pocketsphinx-5.1.1.tar.gz": "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355",
    "pyannote_audio-4.0.7-py3-none-any.whl": "852ea15c4d85bc34773e618267603ffca6a521669a74d33742692cc67fc700d6",
}
INDEX = "https://pypi.org/simple"


def _download(filename: str) -> Path:
    """One distribution file from the package index (the archive only: `pip download`
    of an sdist would build its build dependencies from source)."""
    dest = CACHE / "dist" / filename
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    project = re.split(r"-\d", filename)[0].replace("_", "-")
    page = urllib.request.urlopen(f"{INDEX}/{project}/", timeout=60).read().decode()
    url = next(m.group(1) for m in re.finditer(r'href="([^"#]+)', page) if m.group(1).endswith("/" + filename))
    data = urllib.request.urlopen(url, timeout=300).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PACKAGES[filename]:
        raise RuntimeError(f"{filename}: sha256 {digest} is not the pinned one")
    dest.write_bytes(data)
    return dest


def _extract(archive: Path, members: dict[str, str]) -> None:
    """Copy archive members whose path ends with a key to CACHE/<value>."""
    if all((CACHE / v).exists() for v in members.values()):
        return
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            items = [(n, lambda n=n: z.read(n)) for n in z.namelist()]
            _copy(items, members)
    else:
        with tarfile.open(archive) as t:
            items = [(m.name, lambda m=m: t.extractfile(m).read()) for m in t.getmembers() if m.isfile()]
            _copy(items, members)


def _copy(items, members: dict[str, str]) -> None:
    for name, read in items:
        for suffix, target in members.items():
            if name.endswith(suffix):
                (CACHE / target).write_bytes(read())


def fetch() -> list[dict]:
    """The recordings with their references (downloaded once)."""
    _extract(_download("pywhispercpp-1.5.1.tar.gz"), {"whisper.cpp/samples/jfk.wav": "jfk.wav"})
    _extract(_download("pocketsphinx-5.1.1.tar.gz"),
             {f"test/data/librivox/{n}{ext}": f"{n}{ext}" for n in LIBRIVOX for ext in (".wav", ".txt")})
    _extract(_download("pyannote_audio-4.0.7-py3-none-any.whl"),
             {f"pyannote/audio/sample/sample.{ext}": f"telephone-2spk.{ext}" for ext in ("wav", "rttm", "stm")})
    recordings = [{"path": CACHE / "jfk.wav", "text": JFK_TEXT}]
    recordings += [{"path": CACHE / f"{n}.wav", "text": (CACHE / f"{n}.txt").read_text()} for n in LIBRIVOX]
    stm = [line.split(maxsplit=5) for line in (CACHE / "telephone-2spk.stm").read_text().splitlines() if line.strip()]
    recordings.append({"path": CACHE / "telephone-2spk.wav", "text": " ".join(r[5] for r in stm),
                       "segments": [{"speaker": r[2], "role": "unknown", "start": float(r[3]),
                                     "end": float(r[4]), "text": r[5]} for r in stm]})
    return recordings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default=None)
    parser.add_argument("--beam", type=int, default=None)
    args = parser.parse_args()
    settings = load_settings(engine=args.engine, beam_size=args.beam)
    recordings = fetch()
    print(f"engine {settings.engine}, model {settings.whisper_model}, beam {settings.beam_size}")
    print(f"{'recording':44} {'audio s':>7} {'WER':>6} {'speakers':>8} {'attrib':>6}")
    refs, hyps, rows = [], [], []
    for rec in recordings:
        started = time.perf_counter()
        hyp = load_transcript(ingest.describe(rec["path"], {}, {}), None, settings)
        took = time.perf_counter() - started
        ref_text, hyp_text = normalise(rec["text"]), normalise(hyp.text())
        refs.append(ref_text)
        hyps.append(hyp_text)
        attrib = f"{attribution(hyp, rec)[0]:6.2f}" if "segments" in rec else f"{'-':>6}"
        wer = jiwer.wer(ref_text, hyp_text)
        print(f"{rec['path'].name:44} {hyp.duration:7.1f} {wer:6.3f} {len(hyp.speakers()):8} {attrib}")
        rows.append({"recording": rec["path"].name, "wer": wer, "seconds": took, "text": hyp.text()})
    print(f"{'all (WER over all words)':44} {'':7} {jiwer.wer(refs, hyps):6.3f}")
    (CACHE / f"last-{settings.engine}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
