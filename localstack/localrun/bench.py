"""``make pipeline-bench``: the pipeline's throughput against the detector's on the same files.

One run, same machine, same files (the R3D JPEGs of ``../shared/datasets/r3d`` topped up with
drawn plans):

1. the detector alone: ``location-detector detect`` (the CLI, one process) over the files;
2. the pipeline: every file uploaded at once (a few client threads), each upload's time and
   the moment its result document appears (listing the results prefix, as a client polls).

It prints both rates, their ratio, p50/p95 upload -> result latency, and checks that every
upload got exactly one result document (one version: nothing processed twice).
"""

from __future__ import annotations

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
            if time.monotonic() > deadline:
                raise PipelineError(f"{len(keys) - len(seen)} results missing after the deadline")
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
    latencies = sorted(seen[k] - uploaded[k] for k in keys)
    versions = 0
    for page in client.s3.get_paginator("list_object_versions").paginate(
        Bucket=stack.results_bucket, Prefix=results_prefix
    ):
        versions += len(page.get("Versions", []))
    return len(keys) / wall, latencies, versions - len(keys)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def bench(client: Client, count: int, seed: int, dataset: Path = DATASET) -> int:
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        work = Path(tmp)
        (work / "plans").mkdir()
        files = plan_files(count, dataset, work / "plans", seed)
        drawn = sum(f.suffix == ".png" for f in files)
        print(f"{len(files)} plans: {len(files) - drawn} R3D JPEGs ({dataset}), {drawn} drawn PNGs")
        run = f"{int(time.time())}"
        # Warm-up: the Lambda workers' cold starts are not the pipeline's steady rate.
        pipeline_run(client, files[:1], f"{run}-warmup")
        detector = detector_rate(files, work / "detect")
        pipeline, latencies, duplicates = pipeline_run(client, files, run)
    print(f"detector only (location-detector detect, 1 process): {detector:.2f} plans/s")
    print(f"pipeline (upload -> result document):                {pipeline:.2f} plans/s")
    print(f"ratio pipeline / detector: {pipeline / detector:.2f}")
    print(
        f"upload -> result latency, s: p50 {percentile(latencies, 50):.1f}, "
        f"p95 {percentile(latencies, 95):.1f}, max {latencies[-1]:.1f}"
    )
    print(f"result documents written more than once: {duplicates}")
    print(f"machine: {describe_machine()} (at the end of the run)")
    return 0 if duplicates == 0 else 1
