"""Training and judging the drawn room-type forest (`detector.room_types`) on R3D.

`python -m detector_dev.room_types DATASET_DIR` runs the detector on every R3D plan, pairs
each detected room with the truth room it matches (IoU > 0.5, the benchmark's rule) and
reads that room's type from `_rooms.png`. It then judges the forest by k-fold
cross-validation over plans (each plan's rooms are typed by trees that never saw that
plan) and prints type accuracy over matched rooms, overall and per class. `--write F`
also fits the forest on every plan and writes it to F (the shipped
`model/detector/room_types.json`). Everything is seeded: the same plans give the same
JSON.

The trees are plain CART (Gini impurity, bootstrap samples, a random subset of features
per split), small enough to write here in numpy rather than pull scikit-learn into the
project.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from detector.config import load_config
from detector.imageio import decode_plan
from detector.opencv_detector import room_from_region, trace_rooms, traced_room_features
from detector.room_types import DRAWN_TYPES, FEATURES, MODEL_PATH, Forest
from detector.stages import to_grey8

from .datasets import (
    R3D_MIN_ROOM_PX,
    R3D_ROOM_COLOURS_RGB,
    Item,
    enlarge,
    r3d_close_wall_path,
    r3d_items,
)
from .machine import describe_machine as machine
from .scoring import MATCH_IOU, rasterise_rooms

# R3D's colours, in `R3D_ROOM_COLOURS_RGB` order, as drawn types.
R3D_TYPES = ("closet", "bathroom", "living", "bedroom", "hall", "balcony")
# The label vocabulary folded onto R3D's six colours, for scoring types read from text.
VOCABULARY_TO_R3D = {
    "closet": "closet",
    "bathroom": "bathroom",
    "living": "living",
    "kitchen": "living",
    "dining": "living",
    "bedroom": "bedroom",
    "office": "bedroom",
    "hall": "hall",
    "balcony": "balcony",
    "utility": "closet",
}
FOREST = {"trees": 40, "max_depth": 10, "min_leaf": 3, "seed": 0}


# --------------------------------------------------------------------------- data


def r3d_typed_truth(item: Item) -> tuple[np.ndarray, np.ndarray]:
    """An R3D item's truth rooms as in `datasets.load_truth`, with each room's type index:
    (int32 label image, int array of types indexed by label; label 0 has type -1)."""
    rooms_rgb = cv2.imread(str(item.truth), cv2.IMREAD_COLOR)[:, :, ::-1]
    close_wall = cv2.imread(str(r3d_close_wall_path(item)), cv2.IMREAD_GRAYSCALE)
    labels = np.zeros(rooms_rgb.shape[:2], np.int32)
    types = [-1]
    blocked = close_wall > 127
    for ci, colour in enumerate(R3D_ROOM_COLOURS_RGB):
        mask = np.all(rooms_rgb == np.array(colour, np.uint8), axis=-1) & ~blocked
        n, comp, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=4)
        for i in range(1, n):
            if stats[i, cv2.CC_STAT_AREA] >= R3D_MIN_ROOM_PX:
                types.append(ci)
                labels[comp == i] = len(types) - 1
    return labels, np.array(types)


@dataclass
class Samples:
    """One row per detected room: features, the matched truth type (-1: unmatched) and
    the index of its plan."""

    x: np.ndarray
    y: np.ndarray
    plan: np.ndarray


def collect(root: Path, *, scale: float = 1.0, rotate: int = 0, limit: int | None = None):
    """Features and truth types of every room the detector finds on the R3D plans."""
    config = load_config(None)
    xs, ys, plans = [], [], []
    for k, item in enumerate(r3d_items(root)[:limit]):
        page = decode_plan(item.plan.read_bytes(), config).pages[0]
        labels, types = r3d_typed_truth(item)
        page, labels = enlarge(page, labels, scale)
        if rotate:
            page = np.ascontiguousarray(np.rot90(page, rotate // 90))
            labels = np.ascontiguousarray(np.rot90(labels, rotate // 90))
        grey = to_grey8(page)
        tr = trace_rooms(grey, config)
        if not tr.regions:
            continue
        f = traced_room_features(tr)
        gt_area = np.bincount(labels.ravel(), minlength=len(types))
        for j, g in enumerate(tr.regions):
            room = room_from_region(
                g, scale=tr.scale, epsilon_factor=config.epsilon_factor, page_px=grey.size
            )
            y = -1
            if room is not None:
                (x0, y0, w, h), mask = rasterise_rooms([room.polygon], labels.shape)[0]
                inter = np.bincount(labels[y0 : y0 + h, x0 : x0 + w][mask], minlength=len(types))
                iou = inter / (mask.sum() + gt_area - inter)
                iou[0] = 0
                best = int(iou.argmax())
                y = int(types[best]) if iou[best] > MATCH_IOU else -1
            xs.append(f[j])
            ys.append(y)
            plans.append(k)
    return Samples(np.array(xs), np.array(ys), np.array(plans))


# --------------------------------------------------------------------------- the forest


def _best_split(x, y, w, k, feats, min_leaf):
    """(gain, feature, threshold) of the best Gini split over `feats` (feature -1: none)."""
    best = (0.0, -1, 0.0)
    total = np.bincount(y, weights=w, minlength=k)
    n = total.sum()
    gini = 1 - ((total / n) ** 2).sum()
    pos = np.arange(1, len(y))
    for f in feats:
        order = np.argsort(x[:, f], kind="stable")
        xs = x[order, f]
        onehot = np.zeros((len(y), k))
        onehot[np.arange(len(y)), y[order]] = w[order]
        left = np.cumsum(onehot, 0)[:-1]
        nl = left.sum(1)
        right = total - left
        nr = n - nl
        valid = (xs[1:] > xs[:-1]) & (pos >= min_leaf) & (pos <= len(y) - min_leaf)
        if not valid.any():
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            gl = 1 - ((left / nl[:, None]) ** 2).sum(1)
            gr = 1 - ((right / nr[:, None]) ** 2).sum(1)
            gain = gini - (nl * gl + nr * gr) / n
        gain[~valid] = -1
        i = int(gain.argmax())
        if gain[i] > best[0]:
            best = (float(gain[i]), int(f), float((xs[i] + xs[i + 1]) / 2))
    return best


def fit_tree(x, y, k, rng, *, max_depth, min_leaf, max_features) -> dict:
    """One CART tree as flat lists (`detector.room_types.Forest` reads them)."""
    tree = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}
    w = np.ones(len(y))

    def node(idx, depth):
        j = len(tree["feature"])
        votes = np.bincount(y[idx], minlength=k).astype(float)
        for key, v in (("feature", -1), ("threshold", 0.0), ("left", -1), ("right", -1)):
            tree[key].append(v)
        tree["value"].append((votes / votes.sum()).tolist())
        if depth >= max_depth or len(idx) < 2 * min_leaf or (votes > 0).sum() == 1:
            return j
        feats = rng.choice(x.shape[1], max_features, replace=False)
        _, f, thr = _best_split(x[idx], y[idx], w[idx], k, feats, min_leaf)
        if f < 0:
            return j
        go = x[idx, f] <= thr
        tree["feature"][j], tree["threshold"][j] = f, thr
        tree["left"][j] = node(idx[go], depth + 1)
        tree["right"][j] = node(idx[~go], depth + 1)
        return j

    node(np.arange(len(y)), 0)
    return tree


def fit_forest(
    x, y, *, trees, max_depth, min_leaf, seed, classes=DRAWN_TYPES, features=FEATURES
) -> Forest:
    """A seeded random forest over `classes` (y: indices into it)."""
    rng = np.random.default_rng(seed)
    k = len(classes)
    max_features = int(np.sqrt(x.shape[1])) + 1
    out = []
    for _ in range(trees):
        b = rng.integers(0, len(y), len(y))
        out.append(
            fit_tree(
                x[b],
                y[b],
                k,
                rng,
                max_depth=max_depth,
                min_leaf=min_leaf,
                max_features=max_features,
            )
        )
    return Forest.from_dict({"classes": list(classes), "features": list(features), "trees": out})


def cross_validate(train: Samples, judge: Samples, folds: int) -> np.ndarray:
    """Each room of `judge` typed by a forest fitted on the matched rooms of the `train`
    plans outside its fold (folds by plan index modulo `folds`); -1 for no room."""
    pred = np.full(len(judge.y), -1)
    for f in range(folds):
        fit = (train.y >= 0) & (train.plan % folds != f)
        forest = fit_forest(train.x[fit], train.y[fit], **{**FOREST, "seed": FOREST["seed"] + f})
        test = judge.plan % folds == f
        if test.any():
            pred[test] = forest.predict_proba(judge.x[test]).argmax(1)
    return pred


def accuracy_rows(y: np.ndarray, pred: np.ndarray) -> list[tuple[str, int, float]]:
    """(class, matched rooms, accuracy) for all matched rooms, then for each class."""
    m = y >= 0
    rows = [("all", int(m.sum()), float((pred[m] == y[m]).mean()) if m.any() else 0.0)]
    for c, name in enumerate(R3D_TYPES):
        s = y == c
        rows.append((name, int(s.sum()), float((pred[s] == c).mean()) if s.any() else 0.0))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m detector_dev.room_types", description=__doc__)
    p.add_argument("dataset_dir", type=Path, help="the R3D folder (../shared/datasets/r3d)")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (by plan)")
    p.add_argument(
        "--judge",
        action="append",
        default=[],
        metavar="SCALE,ROTATE",
        help="also judge the fold forests (fitted at 1x) on the plans enlarged and turned, "
        "e.g. 2,0 or 1,90 (repeatable)",
    )
    p.add_argument("--limit", type=int, help="only the first N plans")
    p.add_argument(
        "--write",
        type=Path,
        help=f"fit on every plan and write the forest here ({MODEL_PATH.name})",
    )
    args = p.parse_args(argv)
    assert tuple(R3D_TYPES) == DRAWN_TYPES  # (the forest's classes are R3D's colours)
    t0 = time.perf_counter()
    base = collect(args.dataset_dir, limit=args.limit)
    print(f"machine: {machine()}")
    print(
        f"{len(base.y)} detected rooms on {len(set(base.plan.tolist()))} plans, "
        f"{int((base.y >= 0).sum())} matched to a truth room ({time.perf_counter() - t0:.0f} s)"
    )
    sets = [("r3d", base)]
    for spec in args.judge:
        s, r = spec.split(",")
        sets.append(
            (
                f"r3d x{s} rot{r}",
                collect(args.dataset_dir, scale=float(s), rotate=int(r), limit=args.limit),
            )
        )
    print(f"drawn type accuracy over matched rooms, {args.folds}-fold cross-validation by plan")
    print("| set | " + " | ".join(["all", *R3D_TYPES]) + " |")
    print("|---|" + "---|" * (len(R3D_TYPES) + 1))
    for name, judged in sets:
        rows = accuracy_rows(judged.y, cross_validate(base, judged, args.folds))
        print(f"| {name} | " + " | ".join(f"{a:.3f} (n={n})" for _, n, a in rows) + " |")
    if args.write:
        fit = base.y >= 0
        forest = fit_forest(base.x[fit], base.y[fit], **FOREST)
        args.write.write_text(json.dumps(forest.to_dict(FEATURES), separators=(",", ":")) + "\n")
        print(f"wrote {args.write} ({args.write.stat().st_size} bytes, {fit.sum()} rooms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
