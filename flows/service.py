"""`handoff serve`: the batch on a schedule, against a real Prefect server.

With `PREFECT_API_URL` set, that server is used (runs appear in its UI).
Otherwise a local `prefect server start` is started on a free loopback port,
its state under the data directory, and stopped (by its process group) when
the service stops.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from pipeline.settings import Settings

DEPLOYMENT = "handoff-inbox"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(api_url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {api_url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def local_server(home: Path, port: int | None = None, log: Path | None = None) -> Iterator[str]:
    """A `prefect server start` on loopback for the duration of the block; yields its API URL."""
    port = port or free_port()
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true")}
    env.pop("PREFECT_API_URL", None)
    out = (log or home / "server.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(api)
        yield api
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        out.close()


def overrides(settings: Settings) -> dict:
    """The settings a scheduled run needs, as JSON (a deployment carries its parameters)."""
    return {k: str(v) if isinstance(v, Path) else v
            for k, v in settings.model_dump(exclude_defaults=True).items()}


def serve(settings: Settings) -> None:
    """Serve the scheduled batch until interrupted (Ctrl+C / SIGTERM)."""
    from flows.batch import scheduled_batch

    schedule = {"cron": settings.schedule_cron} if settings.schedule_cron else \
        {"interval": settings.schedule_interval}
    scheduled_batch.serve(name=DEPLOYMENT, parameters={"overrides": overrides(settings)}, limit=1,
                          pause_on_shutdown=False, print_starting_message=True, **schedule)
