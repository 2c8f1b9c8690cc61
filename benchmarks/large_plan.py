"""Time and memory of the detector on one large drawn plan (6000 x 4500 px by default).

    .venv/bin/python benchmarks/large_plan.py [--width 6000 --height 4500 --runs 5 --seed 1]

The plan is drawn by `detector_dev.synthetic` and written as a PNG; a fresh child process then
decodes it once and runs the detector on it `--runs` times, so the peak memory printed is that
of a process that did nothing but this (interpreter and libraries included). Printed: the
median wall time of detection on the decoded page with text on (the default) and off (issue
6's bar, set before the text stage: <= 1.5 s), of the whole `process` call on the PNG bytes
(decode + detect + document), the child's peak RSS (bar: <= 1 GB), rooms found vs drawn, and
the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "model"))

from detector.allocator import keep_freed_memory  # noqa: E402
from detector.imageio import decode_plan  # noqa: E402
from detector.opencv_detector import OpenCVDetector  # noqa: E402
from detector_dev.machine import describe_machine  # noqa: E402
from detector_dev.synthetic import compare_with_truth, draw_plan  # noqa: E402


def measure(png: Path, runs: int, threads: int | None) -> dict:
    """In the child: decode once, detect `runs` times; times in ms and peak RSS in MiB."""
    if threads is not None:
        cv2.setNumThreads(threads)
    data = png.read_bytes()
    keep_freed_memory()  # as the model server does
    detector = OpenCVDetector()
    process_ms, detect_ms = [], []
    doc: dict = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        doc = detector.process(data, name=png.name)
        process_ms.append((time.perf_counter() - t0) * 1e3)
        detect_ms.append(doc["timings_ms"]["detect"])
    # the rooms alone (issue 6's bar was set before the text stage): `read_text` off
    rooms_only = OpenCVDetector(detector.config.model_copy(update={"read_text": False}))
    page = decode_plan(data, rooms_only.config).pages[0]
    rooms_ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        rooms_only.detect_page(page)
        rooms_ms.append((time.perf_counter() - t0) * 1e3)
    return {
        "process_ms": process_ms,
        "detect_ms": detect_ms,
        "rooms_ms": rooms_ms,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rooms": doc["pages"][0]["rooms"],
        "machine": describe_machine(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--width", type=int, default=6000)
    p.add_argument("--height", type=int, default=4500)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--noise", type=float, default=0.3)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, help="OpenCV threads (default: OpenCV's choice)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:  # the measuring process
        print(json.dumps(measure(Path(args.child), args.runs, args.threads)))
        return 0

    t0 = time.perf_counter()
    plan = draw_plan(args.seed, args.width, args.height, noise=args.noise)
    draw_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "large.png"
        cv2.imwrite(str(png), plan.image)
        size_mib = png.stat().st_size / 2**20
        cmd = [sys.executable, __file__, "--child", str(png), "--runs", str(args.runs)]
        if args.threads is not None:
            cmd += ["--threads", str(args.threads)]
        res = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)

    score = compare_with_truth([r["polygon"] for r in res["rooms"]], plan.labels)
    detect_med = statistics.median(res["detect_ms"]) / 1e3
    process_med = statistics.median(res["process_ms"]) / 1e3
    mp = args.width * args.height / 1e6
    print(
        f"large plan: {args.width} x {args.height} px ({mp:.1f} MP), seed {args.seed}, "
        f"noise {args.noise}, PNG {size_mib:.1f} MiB, drawn in {draw_s:.2f} s"
    )
    print(
        f"  detect (decoded page), median of {args.runs}: {detect_med:.3f} s "
        f"(min {min(res['detect_ms']) / 1e3:.3f}, max {max(res['detect_ms']) / 1e3:.3f})"
        f"   (text on)"
    )
    print(
        f"  detect with text off (read_text false), median: "
        f"{statistics.median(res['rooms_ms']) / 1e3:.3f} s   bar <= 1.5 s"
    )
    print(f"  process (PNG bytes: decode + detect + document), median: {process_med:.3f} s")
    print(
        f"  peak memory of the detecting process (max RSS): {res['peak_rss_mib']:.0f} MiB"
        f"   bar <= 1024 MiB"
    )
    print(f"  {score}")
    print(f"  machine: {res['machine']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
