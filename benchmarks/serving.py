"""What serving costs: /invocations of the real model server against in-process detection.

    .venv/bin/python benchmarks/serving.py ../shared/datasets/r3d   (or: make benchmark-serving)

Every plan (*.jpg in the folder) is run through `OpenCVDetector.process` in this process, and
POSTed to `/invocations` of the real entrypoint (`model/serve`, started here on a free port,
as SageMaker starts it), one request at a time over a kept-alive connection; the two alternate
plan by plan, after one untimed pass of each, so drift hits both alike. Each answer is checked
against the in-process result (same rooms). Printed: requests/s, p50/p95 latency, and the
overhead of serving, i.e. HTTP + handlers + schema validation + JSON (the bar is 10 %). Then
the server is loaded with concurrent clients to show its throughput with every worker busy.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "model"))

from detector.allocator import keep_freed_memory  # noqa: E402
from detector.config import load_config  # noqa: E402
from detector.opencv_detector import OpenCVDetector  # noqa: E402
from detector_dev.machine import describe_machine, free_port  # noqa: E402

SERVE = REPO / "model" / "serve"
CONFIG = REPO / "model" / "config.json"


class Server:
    """The real entrypoint as a subprocess with a temporary model directory."""

    def __init__(self, workers: int, threads: int) -> None:
        self.port = free_port()
        self.model_dir = Path(tempfile.mkdtemp(prefix="bench-model-"))
        shutil.copyfile(CONFIG, self.model_dir / "config.json")
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "SAGEMAKER_BIND_TO_PORT": str(self.port),
            "SAGEMAKER_MODEL_SERVER_WORKERS": str(workers),
            "MODEL_SERVER_THREADS": str(threads),
            "MODEL_DIR": str(self.model_dir),
            "MODEL_SERVER_ACCESS_LOG": "false",
            "LOG_LEVEL": "WARNING",
        }
        self.proc = subprocess.Popen([str(SERVE), "serve"], env=env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while not self._ping():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise SystemExit(f"the server did not start:\n{err}")
            time.sleep(0.05)

    def _ping(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/ping")
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)

    def stop(self) -> int:
        self.proc.terminate()
        code = self.proc.wait(timeout=60)
        shutil.rmtree(self.model_dir, ignore_errors=True)
        return code


def invoke(conn: http.client.HTTPConnection, data: bytes) -> dict[str, Any]:
    conn.request("POST", "/invocations", body=data, headers={"Content-Type": "image/jpeg"})
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise SystemExit(f"/invocations answered {resp.status}: {body[:300]!r}")
    return dict(json.loads(body))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def row(label: str, latencies: list[float], wall: float) -> str:
    n = len(latencies)
    return (
        f"  {label:<30} {n:>6} {n / wall:>9.1f} {statistics.median(latencies) * 1e3:>9.1f}"
        f" {pct(latencies, 95) * 1e3:>9.1f} {statistics.mean(latencies) * 1e3:>9.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dataset_dir", type=Path, help="folder of plans (*.jpg), e.g. shared R3D")
    p.add_argument("--rounds", type=int, default=3, help="passes over the plans (default 3)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--threads", type=int, default=4, help="threads per worker")
    p.add_argument("--concurrency", type=int, default=0, help="clients (default: 2 x workers)")
    args = p.parse_args(argv)

    paths = sorted(args.dataset_dir.glob("*.jpg"))
    if not paths:
        raise SystemExit(f"no *.jpg plans in {args.dataset_dir}")
    plans = [(path.name, path.read_bytes()) for path in paths]
    keep_freed_memory()  # as model_fn does in the server: like for like
    detector = OpenCVDetector(load_config(CONFIG))
    print(f"machine: {describe_machine()}")
    print(
        f"plans: {len(plans)} from {args.dataset_dir}, {args.rounds} rounds; server: "
        f"{args.workers} workers x {args.threads} threads (gunicorn gthread)"
    )

    server = Server(args.workers, args.threads)
    try:
        conn = server.connect()
        for name, data in plans:  # one untimed pass: caches, allocators, lazy imports
            detector.process(data, name=name)
            invoke(conn, data)
        local: list[float] = []
        remote: list[float] = []
        # Time outside decode + detect (as each side timed them itself): building the document
        # in both; HTTP, validation and JSON on top of that for the server.
        local_outside: list[float] = []
        outside: list[float] = []
        for _ in range(args.rounds):
            for name, data in plans:  # alternate plan by plan, so drift hits both alike
                t = time.perf_counter()
                mine = detector.process(data, name=name)
                local.append(time.perf_counter() - t)
                local_outside.append(local[-1] - mine["timings_ms"]["total"] / 1e3)
                want = mine["room_count"]
                t = time.perf_counter()
                doc = invoke(conn, data)
                remote.append(time.perf_counter() - t)
                outside.append(remote[-1] - doc["timings_ms"]["total"] / 1e3)
                if doc["room_count"] != want:
                    raise SystemExit(f"{name}: the server's answer differs from in-process")
        conn.close()
        local_wall, remote_wall = sum(local), sum(remote)

        # The floor of any request: HTTP round trips that do no image work at all.
        conn = server.connect()
        size = int(statistics.median(len(data) for _, data in plans))
        ping: list[float] = []
        refused: list[float] = []
        for _ in range(200):
            t = time.perf_counter()
            conn.request("GET", "/ping")
            conn.getresponse().read()
            ping.append(time.perf_counter() - t)
            t = time.perf_counter()
            conn.request("POST", "/invocations", body=bytes(size), headers={"Content-Type": "x/y"})
            conn.getresponse().read()  # 415: read, refused, answered
            refused.append(time.perf_counter() - t)
        conn.close()

        clients = args.concurrency or 2 * args.workers
        latencies: list[float] = []
        lock = threading.Lock()
        work = [data for _ in range(args.rounds) for _, data in plans]

        def client(index: int) -> None:
            c = server.connect()
            for data in work[index::clients]:
                t = time.perf_counter()
                invoke(c, data)
                with lock:
                    latencies.append(time.perf_counter() - t)
            c.close()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        concurrent_wall = time.perf_counter() - t0
    finally:
        exit_code = server.stop()

    print(f"\n  {'':<30} {'n':>6} {'req/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'mean ms':>9}")
    print(row("in-process process()", local, local_wall))
    print(row("POST /invocations, 1 client", remote, remote_wall))
    print(row(f"POST /invocations, {clients} clients", latencies, concurrent_wall))
    p50 = (statistics.median(remote) / statistics.median(local) - 1) * 100
    mean = (remote_wall / local_wall - 1) * 100
    # Paired by plan (each plan ran both ways back to back): robust to what the other jobs on
    # the machine were doing at that moment.
    paired_ms = statistics.median(r - loc for r, loc in zip(remote, local, strict=True)) * 1e3
    paired = statistics.median((r - loc) / loc for r, loc in zip(remote, local, strict=True)) * 100
    # The direct cost: what a request spends outside decode + detect, beyond what process()
    # spends there too (HTTP both ways, schema validation, JSON), against in-process latency.
    direct_ms = (statistics.median(outside) - statistics.median(local_outside)) * 1e3
    direct = direct_ms / (statistics.median(local) * 1e3) * 100
    verdict = "within" if max(paired, direct) <= 10 else "OVER"
    print(
        f"\noverhead of serving, 1 client vs in-process ({verdict} the 10 % bar):\n"
        f"  direct: {direct_ms:.2f} ms more per request outside decode + detect = {direct:.1f} %"
        f" of the in-process p50\n"
        f"  paired by plan: median {paired:+.1f} % ({paired_ms:+.2f} ms); "
        f"total time {mean:+.1f} %; p50 vs p50 {p50:+.1f} %"
    )
    print(
        f"HTTP floor: GET /ping p50 {statistics.median(ping) * 1e3:.2f} ms; POST of "
        f"{size} bytes answered 415 p50 {statistics.median(refused) * 1e3:.2f} ms"
    )
    print(
        f"concurrent throughput: {len(latencies) / concurrent_wall:.1f} req/s = "
        f"{len(latencies) / concurrent_wall / (len(local) / local_wall):.2f}x in-process "
        f"single-threaded, on {os.cpu_count()} cores shared with the clients"
    )
    print(f"server exit code after SIGTERM: {exit_code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
