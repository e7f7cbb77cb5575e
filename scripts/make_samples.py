#!/usr/bin/env python3
"""Render the bundled sample sales calls from their JSON scripts.

For every script (``data/samples/scripts/*.json`` by default) this writes:

* audio (wav / mp3 / m4a, mono or stereo with rep LEFT and customer RIGHT),
  synthesised turn by turn with ``espeak-ng`` and encoded with ``ffmpeg``; or
* a transcript export (``.vtt`` WebVTT with ``<v Name>`` tags, or ``.txt`` lines
  ``[hh:mm:ss] Name: text``) with timestamps estimated at ~160 wpm;
* a reference transcript (``reference/<call_id>.json`` unless the script names
  another path under ``"reference"``) with the true times of every turn.

Usage::

    python scripts/make_samples.py                       # all bundled deals
    python scripts/make_samples.py --only northwind-close
    python scripts/make_samples.py --scripts tests/fixtures/mini --out tests/fixtures/mini

Deterministic: pauses between turns come from ``random.Random(call_id)``.
Needs espeak-ng, sox and ffmpeg on PATH; Python standard library + numpy only.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SR = 16000                      # working sample rate (Hz), 16-bit PCM
DEFAULT_SPEED = 160             # espeak-ng words per minute
EXPORT_WPM = 160                # speaking rate assumed for transcript exports
LEAD_S, TAIL_S = 0.4, 0.6       # silence before the first / after the last turn
PAUSE_RANGE = (0.3, 0.8)        # silence between turns (s), seeded per call
BITRATE = {"mp3": "24k", "m4a": "24k"}
AUDIO_FORMATS = {"wav", "mp3", "m4a"}


def load_scripts(src: Path) -> list[dict[str, Any]]:
    """Load call scripts from a file or every ``*.json`` with ``turns`` in a folder."""
    paths = [src] if src.is_file() else sorted(src.glob("*.json"))
    scripts = []
    for p in paths:
        data = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "turns" in data and "speakers" in data:
            scripts.append(data)
    return scripts


def trim_silence(x: np.ndarray, thresh: int = 200) -> np.ndarray:
    """Cut leading/trailing near-silence so reference times hug the speech."""
    idx = np.flatnonzero(np.abs(x.astype(np.int32)) > thresh)
    return x[idx[0]: idx[-1] + 1] if idx.size else x


def synth(text: str, voice: str, speed: int, tmp: Path) -> np.ndarray:
    """Synthesise one turn with espeak-ng and return 16 kHz mono int16 samples."""
    raw, res = tmp / "raw.wav", tmp / "res.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), "--stdin"],
                   input=text.encode("utf-8"), check=True)
    subprocess.run(["sox", "-R", "-D", "-G", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(res)], check=True)
    with wave.open(str(res)) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return trim_silence(data)


def pauses(call_id: str, n: int) -> list[float]:
    """Deterministic inter-turn pauses for a call."""
    rng = random.Random(call_id)
    return [round(rng.uniform(*PAUSE_RANGE), 2) for _ in range(n)]


def speaker_map(script: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Index speakers by name and check every turn's speaker is declared."""
    spk = {s["name"]: s for s in script["speakers"]}
    missing = {t["speaker"] for t in script["turns"]} - spk.keys()
    if missing:
        raise ValueError(f"{script['call_id']}: undeclared speakers {sorted(missing)}")
    return spk


def segment(start: float, end: float, name: str, side: str, text: str) -> dict[str, Any]:
    """One reference segment."""
    return {"start": round(start, 3), "end": round(end, 3), "speaker": name,
            "role": side, "text": text}


def render_audio(script: dict[str, Any], tmp: Path) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Return (left, right) int16 tracks and the reference segments.

    Left holds the rep side, right the customer side; a mono mix is left + right.
    """
    spk = speaker_map(script)
    gaps = pauses(script["call_id"], len(script["turns"]))
    pieces: list[tuple[int, np.ndarray, str]] = []
    segs, pos = [], int(LEAD_S * SR)
    for turn, gap in zip(script["turns"], gaps):
        s = spk[turn["speaker"]]
        audio = synth(turn["text"], s["voice"], int(s.get("speed", DEFAULT_SPEED)), tmp)
        pieces.append((pos, audio, s["side"]))
        segs.append(segment(pos / SR, (pos + len(audio)) / SR, s["name"], s["side"], turn["text"]))
        pos += len(audio) + int(gap * SR)
    total = pieces[-1][0] + len(pieces[-1][1]) + int(TAIL_S * SR)
    left, right = np.zeros(total, np.int16), np.zeros(total, np.int16)
    for start, audio, side in pieces:
        (left if side == "rep" else right)[start: start + len(audio)] = audio
    return left, right, segs


def write_wav(path: Path, tracks: list[np.ndarray]) -> None:
    """Write int16 tracks (1 = mono, 2 = stereo) as a 16 kHz PCM wav."""
    frames = np.stack(tracks, axis=1) if len(tracks) > 1 else tracks[0]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(tracks))
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(np.ascontiguousarray(frames).tobytes())


def encode(master: Path, dest: Path, fmt: str, channels: int, out: dict[str, Any]) -> None:
    """Encode the master wav into the requested container with ffmpeg."""
    rate = str(out.get("sample_rate", SR))
    cmd = ["ffmpeg", "-y", "-loglevel", "error", "-i", str(master), "-ac", str(channels),
           "-ar", rate, "-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact"]
    if fmt == "wav":
        cmd += ["-c:a", "pcm_s16le"]
    elif fmt == "mp3":
        cmd += ["-c:a", "libmp3lame", "-b:a", out.get("bitrate", BITRATE["mp3"])]
        cmd += ["-joint_stereo", "0"] if channels == 2 else []    # keep L/R fully separate
    else:
        cmd += ["-c:a", "aac", "-b:a", out.get("bitrate", BITRATE["m4a"]), "-movflags", "+faststart"]
        cmd += ["-aac_ms", "0"] if channels == 2 else []
    subprocess.run(cmd + [str(dest)], check=True)


def estimate_segments(script: dict[str, Any]) -> list[dict[str, Any]]:
    """Estimated turn times for transcript-only calls (word count at EXPORT_WPM)."""
    spk = speaker_map(script)
    gaps = pauses(script["call_id"], len(script["turns"]))
    segs, pos = [], LEAD_S
    for turn, gap in zip(script["turns"], gaps):
        dur = max(0.8, len(turn["text"].split()) * 60.0 / EXPORT_WPM)
        segs.append(segment(pos, pos + dur, turn["speaker"], spk[turn["speaker"]]["side"], turn["text"]))
        pos += dur + gap
    return segs


def clock(t: float, millis: bool) -> str:
    """Format seconds as hh:mm:ss(.mmm)."""
    ms = int(round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}" if millis else f"{h:02d}:{m:02d}:{s:02d}"


def export_text(segs: list[dict[str, Any]], fmt: str) -> str:
    """Render segments as a Teams-style WebVTT file or a timestamped txt file."""
    if fmt == "vtt":
        cues = [f"{i}\n{clock(s['start'], True)} --> {clock(s['end'], True)}\n"
                f"<v {s['speaker']}>{s['text']}</v>" for i, s in enumerate(segs, 1)]
        return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"
    return "".join(f"[{clock(s['start'], False)}] {s['speaker']}: {s['text']}\n" for s in segs)


def render(script: dict[str, Any], out_dir: Path) -> list[str]:
    """Render one call; return a list of human-readable summary lines."""
    cid = script["call_id"]
    outs = script["output"] if isinstance(script["output"], list) else [script["output"]]
    lines, duration = [], 0.0
    if any(o["format"] in AUDIO_FORMATS for o in outs):
        with tempfile.TemporaryDirectory() as td:
            tmp = Path(td)
            left, right, segs = render_audio(script, tmp)
            duration = len(left) / SR
            for o in outs:
                stereo = o.get("channels", "mono") == "stereo"
                mono = np.clip(left.astype(np.int32) + right, -32768, 32767).astype(np.int16)
                master = tmp / "master.wav"
                write_wav(master, [left, right] if stereo else [mono])
                dest = out_dir / f"{o.get('name', cid)}.{o['format']}"
                encode(master, dest, o["format"], 2 if stereo else 1, o)
                lines.append(f"{dest.name}: {duration:.1f}s {'stereo' if stereo else 'mono'}")
    else:
        segs = estimate_segments(script)
        duration = segs[-1]["end"] + TAIL_S
        for o in outs:
            dest = out_dir / f"{o.get('name', cid)}.{o['format']}"
            dest.write_text(export_text(segs, o["format"]), encoding="utf-8")
            lines.append(f"{dest.name}: {duration:.1f}s (estimated) export")
    ref = out_dir / script.get("reference", f"reference/{cid}.json")
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(json.dumps({"call_id": cid, "duration": round(duration, 3), "segments": segs},
                              indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return lines


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scripts", type=Path, default=ROOT / "data/samples/scripts",
                    help="script file or folder of call scripts")
    ap.add_argument("--out", type=Path, default=ROOT / "data/samples", help="output folder")
    ap.add_argument("--only", action="append", default=[], metavar="CALL_ID",
                    help="render only this call (repeatable)")
    args = ap.parse_args(argv)
    scripts = [s for s in load_scripts(args.scripts) if not args.only or s["call_id"] in args.only]
    if not scripts:
        print("no matching scripts", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for s in scripts:
        for line in render(s, args.out):
            print(f"{s['call_id']}: {line}")
    if not args.only:
        write_call_facts(scripts, args.out)
    return 0


def write_call_facts(scripts: list[dict[str, Any]], out_dir: Path) -> None:
    """`recordings.csv`: each call's file, deal, date and type, as a CRM activity export gives them."""
    import csv

    with (out_dir / "recordings.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["file", "deal_id", "call_date", "call_type", "title"])
        for s in scripts:
            outs = s["output"] if isinstance(s["output"], list) else [s["output"]]
            for o in outs:
                writer.writerow([f"{o.get('name', s['call_id'])}.{o['format']}", s["deal_id"], s["date"],
                                 s.get("call_type", ""), s.get("title", "")])


if __name__ == "__main__":
    sys.exit(main())
