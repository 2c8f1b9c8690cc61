"""Training and judging the closet forest (`detector.closets`) on R3D.

`python -m detector_dev.closets DATASET_DIR` cuts every detected R3D room along its thin
lines (`closet_candidates`), labels each piece a room when it matches a truth room (IoU >
0.5, the benchmark's rule) and fits a forest that tells those pieces from the rest. It then
judges the detector as shipped but with k-fold forests: each plan is detected with the
forest fitted on the other folds' plans, and the usual benchmark row is printed (PQ, RQ,
SQ...), optionally on the plans enlarged or turned (`--scale`, `--rotate`). `--write F` fits
on every plan and writes the shipped `model/detector/closets.json`. Seeded throughout.

The forest learns from each plan as drawn, enlarged 2x and 4x and turned 90 degrees
(`VARIANTS`): an enlarged page reaches the working grid blurred, so its thin lines come out
a little thicker, and a forest that has seen only 1x pieces takes fewer closets there. The
folds are by plan, so no fold judges a plan any of whose variants it learnt from.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

from detector.closets import FEATURES, MODEL_PATH, closet_candidates
from detector.config import load_config
from detector.imageio import decode_plan
from detector.opencv_detector import OpenCVDetector, trace_rooms
from detector.stages import to_grey8

from .benchmark import format_row, run_items
from .datasets import enlarge, r3d_items
from .machine import describe_machine
from .room_types import Samples, fit_forest, r3d_typed_truth
from .scoring import MATCH_IOU, summarise

CLASSES = ("other", "room")
FOREST = {"trees": 250, "max_depth": 10, "min_leaf": 3, "seed": 0}
VARIANTS = ((1.0, 0), (2.0, 0), (4.0, 0), (1.0, 90))  # (scale, turn) of the training pages


def collect(root: Path, limit: int | None = None, variants=VARIANTS) -> Samples:
    """Every candidate piece of the R3D plans (each of `variants`): features, 1 when it is a
    truth room, plan."""
    # the candidates are cut from the rooms found before this stage
    config = load_config(None).model_copy(update={"closet_votes": 1.01})
    xs, ys, plans = [], [], []
    for (scale, turn), (k, item) in itertools.product(variants, enumerate(r3d_items(root)[:limit])):
        page = decode_plan(item.plan.read_bytes(), config).pages[0]
        labels, types = r3d_typed_truth(item)
        if labels.shape != page.shape[:2]:
            labels = cv2.resize(labels, page.shape[1::-1], interpolation=cv2.INTER_NEAREST)
        page, labels = enlarge(page, labels, scale)
        if turn:
            page = np.ascontiguousarray(np.rot90(page, turn // 90))
            labels = np.ascontiguousarray(np.rot90(labels, turn // 90))
        tr = trace_rooms(to_grey8(page), config)
        if tr.scale < 1:
            labels = cv2.resize(labels, tr.work.shape[::-1], interpolation=cv2.INTER_NEAREST)
        gt_area = np.bincount(labels.ravel(), minlength=len(types))
        pieces = closet_candidates(
            tr.regions, walls=tr.walls, lines=tr.lines, thickness_px=tr.thickness_px
        )
        for p in pieces:
            x, y = p.origin
            h, w = p.mask.shape
            inter = np.bincount(labels[y : y + h, x : x + w][p.mask], minlength=len(types))
            iou = inter / (p.mask.sum() + gt_area - inter)
            iou[0] = 0
            xs.append(p.features)
            ys.append(int(iou.max() > MATCH_IOU))
            plans.append(k)
    return Samples(np.array(xs), np.array(ys), np.array(plans))


def fit(samples: Samples, mask: np.ndarray | None = None, seed: int = 0):
    m = np.ones(len(samples.y), bool) if mask is None else mask
    return fit_forest(
        samples.x[m],
        samples.y[m],
        **{**FOREST, "seed": FOREST["seed"] + seed},
        classes=CLASSES,
        features=FEATURES,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m detector_dev.closets", description=__doc__)
    p.add_argument("dataset_dir", type=Path, help="the R3D folder (../shared/datasets/r3d)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--scale", type=float, action="append", help="judge at these scales")
    p.add_argument("--rotate", type=int, default=0, help="judge on plans turned this much")
    p.add_argument("--limit", type=int)
    p.add_argument(
        "--seed", type=int, default=0, help="added to each fold's forest seed (judge the noise)"
    )
    p.add_argument("--write", type=Path, help=f"fit on every plan, write here ({MODEL_PATH.name})")
    args = p.parse_args(argv)
    samples = collect(args.dataset_dir, args.limit)
    print(f"machine: {describe_machine()}")
    print(
        f"{len(samples.y)} candidate pieces ({len(VARIANTS)} variants of each plan),"
        f" {int(samples.y.sum())} of them truth rooms"
    )
    items = r3d_items(args.dataset_dir)[: args.limit]
    detector = OpenCVDetector()
    for scale in args.scale or [1.0]:
        scores = []
        for f in range(args.folds):
            forest = fit(samples, samples.plan % args.folds != f, seed=args.seed + f)
            fold = [it for k, it in enumerate(items) if k % args.folds == f]
            with mock.patch("detector.closets.load_model", return_value=forest):
                scores += run_items(detector, fold, scale=scale, rotate=args.rotate)
        name = f"r3d x{scale:g}" + (f" rot{args.rotate}" if args.rotate else "")
        s = summarise(scores)
        print(format_row(f"{name} ({args.folds}-fold closets)", s))
        print(f"  {name}: PQ {s.pq:.4f}, RQ {s.rq:.4f}, SQ {s.sq:.4f}")  # the bar's digits
    if args.write:
        forest = fit(samples)
        args.write.write_text(json.dumps(forest.to_dict(FEATURES), separators=(",", ":")) + "\n")
        print(f"wrote {args.write} ({args.write.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
