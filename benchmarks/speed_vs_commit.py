"""The detector's time per R3D plan with text off, against an earlier commit's, in one run.

    .venv/bin/python benchmarks/speed_vs_commit.py [--ref ebc724d] [--rounds 2] [--limit N]

Issue 15 asks that the detector costs what it did before its text, type and closet stages when
text reading is off. The earlier commit's `model/` is exported (`git archive`) to a temporary
folder and the two detectors are timed in turns, each in a fresh child process on one thread
(`--rounds` turns each), so a busy machine weighs on both alike. A child times
`detect_rooms` on each decoded plan, fastest of 3, in CPU time of the process (the text stage
is not part of `detect_rooms`, so `read_text` needs no switching, and an old config has no such
field). Printed: each round's median and p95 ms per plan, the median of the per-round ratios
(now / ref), and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATASET = REPO.parent / "shared" / "datasets" / "r3d"


def child(model_dir: Path, dataset: Path, limit: int | None) -> dict:
    """In the child: `model_dir`'s detector (first on sys.path) on the R3D plans."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    from detector.config import load_config
    from detector.imageio import decode_plan
    from detector.opencv_detector import OpenCVDetector

    sys.path.append(str(REPO / "model"))  # the dataset reader, after the detector under test
    from detector_dev.datasets import r3d_items

    config = load_config(model_dir / "config.json")
    detector = OpenCVDetector(config)
    ms = []
    for item in r3d_items(dataset)[:limit]:
        page = decode_plan(item.plan.read_bytes(), config).pages[0]
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            detector.detect_rooms(page)
            best = min(best, time.process_time() - t0)
        ms.append(best * 1e3)
    return {
        "detector": str(Path(sys.modules["detector"].__file__).parent),
        "median": float(np.median(ms)),
        "p95": float(np.percentile(ms, 95)),
        "plans": len(ms),
    }


def run_child(model_dir: Path, dataset: Path, limit: int | None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(model_dir), "OMP_NUM_THREADS": "1"}
    args = [sys.executable, __file__, "--child", str(model_dir), "--dataset", str(dataset)]
    if limit:
        args += ["--limit", str(limit)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def export(ref: str, into: Path) -> Path:
    """`ref`'s `model/` folder, written under `into`."""
    tar = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "model"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into / "model"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ref", default="ebc724d", help="the earlier commit (default: before issue 15)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--limit", type=int)
    p.add_argument("--dataset", type=Path, default=DATASET)
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.dataset, args.limit)))
        return
    sys.path.insert(0, str(REPO / "model"))
    import cv2

    from detector_dev.machine import describe_machine

    cv2.setNumThreads(1)  # as in the children, so the machine line says what they ran on

    with tempfile.TemporaryDirectory() as tmp:
        ref_model = export(args.ref, Path(tmp))
        ratios = []
        for r in range(args.rounds):
            ref = run_child(ref_model, args.dataset, args.limit)
            now = run_child(REPO / "model", args.dataset, args.limit)
            ratios.append(now["median"] / ref["median"])
            print(
                f"round {r + 1}: {args.ref} {ref['median']:.1f} ms (p95 {ref['p95']:.1f}), "
                f"now {now['median']:.1f} ms (p95 {now['p95']:.1f}) over {now['plans']} plans: "
                f"x {ratios[-1]:.2f}"
            )
    print(f"now / {args.ref}: x {statistics.median(ratios):.2f} (median of {args.rounds} rounds)")
    print(f"machine: {describe_machine()}")


if __name__ == "__main__":
    main()
