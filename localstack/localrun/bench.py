"""``make pipeline-bench``: the pipeline's throughput against the detector's on the same files.

One run, same machine, same files (the R3D JPEGs of ``../shared/datasets/r3d`` topped up with
drawn plans):

1. the detector alone: ``location-detector detect`` (the CLI, one process) over the files;
2. the pipeline: every file uploaded at once (a few client threads), each upload's time and
   the moment its result document appears (listing the results prefix, as a client polls).

Besides the rates it prints the CPU time per plan of the detector alone and of each part of the
pipeline (model server, endpoint stand-in, Lambda runner with its workers, emulator): on a
shared machine the wall-clock rates move with the load, the CPU split says where time goes.

It prints both rates, their ratio, p50/p95 upload -> result latency, and checks that every
upload got exactly one result document (one version: nothing processed twice).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from detector_dev.machine import describe_machine

from .client import Client
from .demo import draw_png
from .processes import ROOT, PipelineError
from .services import SERVICES, Pipeline

DATASET = ROOT.parent / "shared" / "datasets" / "r3d"
UPLOAD_THREADS = 4
LIST_INTERVAL_S = 0.25


def plan_files(count: int, dataset: Path, into: Path, seed: int) -> list[Path]:
    """``count`` plan files: the dataset's JPEGs first, then drawn 1600 x 1200 PNGs."""
    jpegs = sorted(dataset.glob("*.jpg"))[:count]
    files = []
    for src in jpegs:
        files.append(into / src.name)
        shutil.copyfile(src, files[-1])
    for i in range(count - len(files)):
        files.append(into / f"drawn-{seed + i}.png")
        files[-1].write_bytes(draw_png(seed + i)[0])
    return files


def detector_rate(files: list[Path], out: Path) -> float:
    """Plans per second of ``location-detector detect`` over ``files`` (process start included,
    as a user runs it)."""
    cli = Path(sys.executable).with_name("location-detector")
    started = time.monotonic()
    proc = subprocess.run(
        [str(cli), "detect", *map(str, files), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise PipelineError(f"location-detector detect failed: {proc.stderr[-500:]}")
    return len(files) / elapsed


def pipeline_run(client: Client, files: list[Path], run: str) -> tuple[float, list[float], int]:
    """Upload every file at once; returns (plans/s, upload -> result latencies, duplicates)."""
    stack = client.stack
    keys = {stack.upload_key(f"bench/{run}/{f.name}"): f for f in files}
    uploaded: dict[str, float] = {}

    def put(key: str) -> None:
        path = keys[key]
        kind = "image/jpeg" if path.suffix == ".jpg" else "image/png"
        client.upload(key, path.read_bytes(), kind)
        uploaded[key] = time.monotonic()

    results_prefix = stack.result_key(stack.upload_key(f"bench/{run}/")).removesuffix(".json")
    seen: dict[str, float] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        pending = [pool.submit(put, key) for key in keys]
        deadline = started + 120 + 5 * len(keys)
        while len(seen) < len(keys):
            if time.monotonic() > deadline:  # report what came, and say what did not
                print(f"error: {len(keys) - len(seen)} results missing after the deadline")
                break
            now = time.monotonic()
            pages = client.s3.get_paginator("list_objects_v2").paginate(
                Bucket=stack.results_bucket, Prefix=results_prefix
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    key = obj["Key"][len(stack.prefixes["results"]) :].removesuffix(".json")
                    seen.setdefault(key, now)
            time.sleep(LIST_INTERVAL_S)
        for f in pending:
            f.result()
    wall = max(seen.values()) - started
    latencies = sorted(seen[k] - uploaded[k] for k in seen)
    versions = 0
    for page in client.s3.get_paginator("list_object_versions").paginate(
        Bucket=stack.results_bucket, Prefix=results_prefix
    ):
        versions += len(page.get("Versions", []))
    return len(seen) / wall, latencies, versions - len(seen)


def _stat(pid: str) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd on (comm may hold spaces)


def cpu_seconds(sessions: dict[str, int], processes: dict[str, int]) -> dict[str, float]:
    """CPU time so far of every live process in each session (the services run in their own)
    and of single processes, each with what it reaped from its exited children."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = dict.fromkeys([*sessions, *processes], 0.0)
    by_session = {sid: name for name, sid in sessions.items()}
    by_pid = {pid: name for name, pid in processes.items()}
    for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
        fields = _stat(str(pid))
        if fields is None:
            continue
        name = by_pid.get(pid) or by_session.get(int(fields[3]))
        if name is None:
            continue
        used = sum(int(x) for x in fields[11:13])  # utime, stime
        if pid in by_pid or pid == int(fields[3]):
            used += sum(int(x) for x in fields[13:15])  # cutime, cstime: reaped children
        totals[name] += used / tick
    return totals


def emulator_pid(emulator_url: str) -> int | None:
    """The emulator process serving ``emulator_url`` (found by its command line)."""
    port = emulator_url.rsplit(":", 1)[-1].strip("/")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(c.endswith(b"emulator.py") for c in cmd) and port.encode() in cmd:
            return int(pid)
    return None


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def bench(pipe: Pipeline, count: int, seed: int, dataset: Path = DATASET) -> int:
    client = pipe.client
    sessions = {name: pid for name in SERVICES if (pid := pipe.supervisor.pid(name))}
    emulator = emulator_pid(pipe.emulator_url)
    singles = {"emulator": emulator} if emulator else {}
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = Path(tmp)
        (work / "plans").mkdir()
        files = plan_files(count, dataset, work / "plans", seed)
        drawn = sum(f.suffix == ".png" for f in files)
        print(f"{len(files)} plans: {len(files) - drawn} R3D JPEGs ({dataset}), {drawn} drawn PNGs")
        run = f"{int(time.time())}"
        # Warm-up: the Lambda workers' cold starts are not the pipeline's steady rate.
        pipeline_run(client, files[:1], f"{run}-warmup")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        detector = detector_rate(files, work / "detect")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        detector_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        cpu_before = cpu_seconds(sessions, singles)
        pipeline, latencies, duplicates = pipeline_run(client, files, run)
        cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(sessions, singles).items()}
    print(f"detector only (location-detector detect, 1 process): {detector:.2f} plans/s")
    print(f"pipeline (upload -> result document):                {pipeline:.2f} plans/s")
    print(f"ratio pipeline / detector: {pipeline / detector:.2f}")
    print(
        f"upload -> result latency, s: p50 {percentile(latencies, 50):.1f}, "
        f"p95 {percentile(latencies, 95):.1f}, max {latencies[-1]:.1f}"
    )
    print(f"result documents written more than once: {duplicates}")
    n = len(files)
    parts = ", ".join(f"{name} {seconds / n * 1000:.0f}" for name, seconds in cpu.items())
    print(
        f"CPU ms per plan: detector alone {detector_cpu / n * 1000:.0f}; pipeline "
        f"{sum(cpu.values()) / n * 1000:.0f} ({parts})"
    )
    print(f"machine: {describe_machine()} (at the end of the run)")
    return 0 if duplicates == 0 and len(latencies) == n else 1
