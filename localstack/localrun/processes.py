"""Background services with pid files: start, health, stop, restart, kill.

Each service is started in its own session (so a stop reaches its children too), logs to
``<dir>/<name>.log`` and records its pid in ``<dir>/<name>.pid``. How to start it again (command,
environment, health check) is kept in ``<dir>/services.json``, so ``restart <name>`` works
from another process than the one that started it, as an operator or a chaos script runs it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PipelineError(Exception):
    """The local pipeline could not be started, or a plan did not go through."""


def log_to_stderr(level: str) -> None:
    """A service's logging: timestamped lines on stderr (`Supervisor.start` logs it to a file)."""
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


def http_ok(url: str, timeout: float = 2) -> bool:
    """True when ``url`` answers 200 within ``timeout``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PipelineError(f"process for {url} exited with {proc.returncode}")
        if http_ok(url):
            return
        time.sleep(0.2)
    raise PipelineError(f"{url} did not answer within {timeout:.0f} s")


def alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass(frozen=True)
class ServiceSpec:
    """How to (re)start one service and how to tell it is healthy."""

    name: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None  # answers 200 once ready (and while healthy)
    ready_file: str | None = None  # written by the service once ready, removed at its stop
    start_timeout_s: float = 60


class Supervisor:
    """The services under one directory (``<state dir>/pipeline``)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._specs_file = self.dir / "services.json"

    # ---------------------------------------------------------------- specs and pids
    def specs(self) -> dict[str, ServiceSpec]:
        if not self._specs_file.exists():
            return {}
        raw = json.loads(self._specs_file.read_text(encoding="utf-8"))
        return {name: ServiceSpec(**spec) for name, spec in raw.items()}

    def _save_spec(self, spec: ServiceSpec) -> None:
        specs = {name: asdict(s) for name, s in self.specs().items()}
        specs[spec.name] = asdict(spec)
        self._specs_file.write_text(json.dumps(specs, indent=2), encoding="utf-8")

    def pid(self, name: str) -> int | None:
        pid_file = self.dir / f"{name}.pid"
        return int(pid_file.read_text(encoding="utf-8").strip()) if pid_file.exists() else None

    def running(self, name: str) -> bool:
        pid = self.pid(name)
        return pid is not None and alive(pid)

    def healthy(self, name: str) -> bool:
        """The process is alive and answers its health check (not only a pid)."""
        spec = self.specs().get(name)
        if spec is None or not self.running(name):
            return False
        if spec.health_url:
            return http_ok(spec.health_url)
        if spec.ready_file:
            return Path(spec.ready_file).exists()
        return True

    # ---------------------------------------------------------------- start / stop
    def start(self, spec: ServiceSpec) -> subprocess.Popen[bytes]:
        """Start ``spec`` and wait until it is healthy; raises ``PipelineError`` if it is not."""
        if spec.ready_file:
            Path(spec.ready_file).unlink(missing_ok=True)
        with (self.dir / f"{spec.name}.log").open("ab") as log:
            proc = subprocess.Popen(
                spec.cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
                env={**os.environ, **spec.env},
            )
        (self.dir / f"{spec.name}.pid").write_text(f"{proc.pid}\n", encoding="utf-8")
        self._save_spec(spec)
        deadline = time.monotonic() + spec.start_timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise PipelineError(
                    f"{spec.name} exited with {proc.returncode}: see {self.dir / spec.name}.log"
                )
            if self.healthy(spec.name):
                return proc
            time.sleep(0.2)
        raise PipelineError(
            f"{spec.name} not healthy after {spec.start_timeout_s:.0f} s: "
            f"see {self.dir / spec.name}.log"
        )

    def stop(self, names: list[str] | tuple[str, ...], timeout: float = 30) -> list[str]:
        """SIGTERM each service (in the order given), then SIGKILL what is left after
        ``timeout``; returns the names that were running."""
        stopped = []
        for name in names:
            pid = self.pid(name)
            if pid is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and alive(pid):
                    time.sleep(0.1)
                if alive(pid):
                    os.killpg(pid, signal.SIGKILL)  # its own session: it and its children
                stopped.append(name)
            (self.dir / f"{name}.pid").unlink(missing_ok=True)
        return stopped

    def kill(self, name: str) -> bool:
        """SIGKILL the service and its children at once: a crash, nothing cleaned up."""
        pid = self.pid(name)
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        (self.dir / f"{name}.pid").unlink(missing_ok=True)
        return True

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        """Stop (if running) and start again with the recorded command and environment."""
        spec = self.specs().get(name)
        if spec is None:
            raise PipelineError(f"{name} was never started here (make pipeline-up)")
        self.stop([name])
        return self.start(spec)
