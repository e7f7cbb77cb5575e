"""`make bench-batch`: a batch of recordings through the stages called directly, and
through the Prefect flow with 1, 2 and 4 thread workers and a Dask LocalCluster.
Prints wall time, throughput (audio hours per hour) and the overhead the flow adds
over calling the stages directly on one worker. Printed, never asserted.

The batch is N copies of one recording (default: the 40-second mini call; pass a
10-minute recording with --source for the issue's case), each made distinct by a
different few milliseconds of silence at the end, so each is a new recording.

    python -m benchmarks.batch [--n 20] [--source FILE] [--configs direct,threads1,threads2,threads4,dask2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_batch(source: Path, n: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        target = folder / f"{source.stem}-{i:02d}.wav"
        pad = f"apad=pad_dur={0.01 * (i + 1):.2f}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-ac", "1", "-ar", "16000", "-af", pad,
                        str(target)], check=True)
        out.append(target)
    return out


def audio_seconds(files: list[Path]) -> float:
    from pipeline.audio import probe

    return sum(probe(f).duration for f in files)


def direct(files: list[Path], data: Path) -> float:
    """The stages one after another, no Prefect: the baseline for the overhead."""
    from pipeline import ingest
    from pipeline.process import process_recording
    from pipeline.settings import load_settings
    from pipeline.store import Store

    settings = load_settings(data_dir=data)
    store = Store(settings.database)
    started = time.perf_counter()
    for f in files:
        rec = ingest.describe(f, {}, {})
        store.save_result(rec, process_recording(rec, None, settings))
    return time.perf_counter() - started


def flow(inbox: Path, data: Path, **options: object) -> float:
    from flows.batch import batch_flow, task_runner
    from pipeline.settings import load_settings

    settings = load_settings(inbox=inbox, data_dir=data, **options)
    started = time.perf_counter()
    summary = batch_flow.with_options(task_runner=task_runner(settings))(settings)
    took = time.perf_counter() - started
    if summary.errors:
        print(f"  errors: {[e.message for e in summary.errors][:3]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--source", type=Path, default=ROOT / "tests" / "fixtures" / "mini" / "mini-call.mp3")
    parser.add_argument("--configs", default="direct,threads1,threads2,threads4,dask2")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    os.environ.setdefault("PREFECT_HOME", str(work / ".prefect"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Every configuration transcribes for real: no transcript from the previous one's cache.
    os.environ["PREFECT_TASKS_REFRESH_CACHE"] = "true"
    files = make_batch(args.source, args.n, work / "inbox")
    hours = audio_seconds(files) / 3600
    print(f"batch: {args.n} x {args.source.name} = {hours * 60:.1f} min of audio, {os.cpu_count()} CPUs")
    # Models load once per process: load them before timing, as a long-running worker has.
    from pipeline.process import process_recording  # noqa: F401
    warm = work / "warm"
    make_batch(args.source, 1, warm)
    direct(list(warm.glob("*.wav")), work / "data-warm")
    # Prefect's ephemeral API starts on the first flow of a process (~10 s): start it before timing,
    # as in a long-running service; the start-up is reported on its own.
    started = time.perf_counter()
    (work / "empty").mkdir()
    flow(work / "empty", work / "data-empty")
    print(f"Prefect start-up (first flow of a process, empty inbox): {time.perf_counter() - started:.1f} s")
    results: dict[str, float] = {}
    for config in args.configs.split(","):
        data = work / f"data-{config}"
        if config == "direct":
            results[config] = direct(files, data)
        elif config.startswith("threads"):
            results[config] = flow(work / "inbox", data, workers=int(config.removeprefix("threads")))
        elif config.startswith("dask"):
            results[config] = flow(work / "inbox", data, dask_workers=int(config.removeprefix("dask")))
        else:
            raise SystemExit(f"unknown config {config}")
        took = results[config]
        print(f"{config:9} wall {took:7.1f} s   throughput {hours / (took / 3600):6.1f} audio h/h")
    if "direct" in results and "threads1" in results:
        overhead = results["threads1"] / results["direct"] - 1
        print(f"Prefect overhead (threads1 vs direct, models warm): {overhead * 100:+.1f}%")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
