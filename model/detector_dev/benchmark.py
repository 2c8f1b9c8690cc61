"""`location-detector benchmark`: scores the detector on a dataset with room ground truth.

Runs the detector over a dataset (`datasets`), scores each plan (`scoring`) and prints one
row per set: precision, recall, RQ, SQ, PQ, planPQ and the detector's time per plan (detect
only, decode excluded, in-process, one core), with the machine it ran on.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from detector.config import DetectorConfig, load_config
from detector.imageio import decode_plan
from detector.opencv_detector import OpenCVDetector
from detector.results import Page, Room, Source, success_document

from .datasets import Item, enlarge, fit_truth, load_truth, luminance8, sets_for
from .machine import describe_machine
from .scoring import MATCH_IOU, PlanScore, Summary, match_rooms, rasterise_rooms, summarise

log = logging.getLogger(__name__)


def run_items(
    detector: OpenCVDetector,
    items: Sequence[Item],
    *,
    scale: float = 1.0,
    save: Path | None = None,
    repeat: int = 1,
    rotate: int = 0,
) -> list[PlanScore]:
    """Detect and score every item; optionally save JSON, overlay and per-plan CSV."""
    scores = []
    if save:
        save.mkdir(parents=True, exist_ok=True)
    for item in items:
        data = item.plan.read_bytes()
        page = decode_plan(data, detector.config).pages[0]
        labels = load_truth(item)
        if labels.shape != page.shape[:2]:
            labels = fit_truth(labels, page.shape[:2], item.name)
        page, labels = enlarge(page, labels, scale)
        if rotate:
            k = rotate // 90  # counter-clockwise quarter turns, plan and truth alike
            page = np.ascontiguousarray(np.rot90(page, k))
            labels = np.ascontiguousarray(np.rot90(labels, k))
        ms = float("inf")
        for _ in range(max(1, repeat)):  # fastest of `repeat` runs: robust to a busy machine
            t0 = time.perf_counter()
            rooms = detector.detect_rooms(page)
            ms = min(ms, (time.perf_counter() - t0) * 1e3)
        masks = rasterise_rooms([r.polygon for r in rooms], labels.shape)
        s = match_rooms(masks, labels, item.name)
        s = PlanScore(s.name, s.tp, s.fp, s.fn, s.iou_sum, ms)
        scores.append(s)
        if save:
            _save_plan(save, item, data, detector, page, rooms, masks, labels)
    if save:
        _save_csv(save / "per_plan.csv", scores)
    return scores


def _save_plan(
    save: Path,
    item: Item,
    data: bytes,
    detector: OpenCVDetector,
    page: np.ndarray,
    rooms: list[Room],
    masks: list[tuple[tuple[int, int, int, int], np.ndarray]],
    labels: np.ndarray,
) -> None:
    doc = success_document(
        source=Source.from_bytes(data, item.plan.name, str(item.plan)),
        pages=[Page(0, page.shape[1], page.shape[0], rooms)],
        detector_name=detector.name,
        detector_version=detector.version,
        config=detector.config.model_dump(),
    )
    (save / f"{item.name}.json").write_text(json.dumps(doc))
    cv2.imwrite(str(save / f"{item.name}.png"), draw_comparison(page, rooms, masks, labels))


def draw_comparison(
    page: np.ndarray,
    rooms: list[Room],
    masks: list[tuple[tuple[int, int, int, int], np.ndarray]],
    labels: np.ndarray,
) -> np.ndarray:
    """Inspection overlay: detected rooms filled in colours and numbered, truth outlined.

    Ground-truth rooms are outlined green when matched (IoU > 0.5) and red when missed.
    """
    grey = luminance8(page if page.dtype == np.uint8 else cv2.convertScaleAbs(page))
    out = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    tint = out.copy()
    rng = np.random.default_rng(0)
    for (x, y, w, h), mask in masks:
        colour = rng.integers(60, 230, 3).tolist()
        tint[y : y + h, x : x + w][mask] = colour
    out = cv2.addWeighted(out, 0.4, tint, 0.6, 0)
    matched = set()
    s_labels = labels
    n_gt = int(s_labels.max()) if s_labels.size else 0
    gt_area = np.bincount(s_labels.ravel(), minlength=n_gt + 1)
    for (x, y, w, h), mask in masks:
        inter = np.bincount(s_labels[y : y + h, x : x + w][mask], minlength=n_gt + 1)
        for g in np.flatnonzero(inter[1:]) + 1:
            if inter[g] / (mask.sum() + gt_area[g] - inter[g]) > MATCH_IOU:
                matched.add(int(g))
    for g in range(1, n_gt + 1):
        cs, _ = cv2.findContours(
            (s_labels == g).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
        )
        cv2.drawContours(out, cs, -1, (0, 170, 0) if g in matched else (0, 0, 230), 2)
    for i, r in enumerate(rooms):
        cx, cy = (int(v) for v in r.centroid)
        cv2.putText(out, str(i + 1), (cx, cy), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (120, 0, 0), 1)
    return out


def _save_csv(path: Path, scores: Sequence[PlanScore]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["plan", "pq", "tp", "fp", "fn", "sq", "ms"])
        for s in sorted(scores, key=lambda s: (s.pq, s.name)):
            sq = s.iou_sum / s.tp if s.tp else 0.0
            w.writerow([s.name, f"{s.pq:.4f}", s.tp, s.fp, s.fn, f"{sq:.4f}", f"{s.ms:.2f}"])


HEADER = (
    f"{'set':<28} {'plans':>5} {'gt':>5} {'det':>5} {'tp':>5} {'prec':>6} {'recall':>6} "
    f"{'RQ':>6} {'SQ':>6} {'PQ':>6} {'planPQ':>6} {'med ms':>7} {'p95 ms':>7}"
)


def format_row(label: str, s: Summary) -> str:
    return (
        f"{label:<28} {s.plans:>5} {s.gt:>5} {s.detected:>5} {s.tp:>5} {s.precision:>6.3f} "
        f"{s.recall:>6.3f} {s.rq:>6.3f} {s.sq:>6.3f} {s.pq:>6.3f} {s.mean_plan_pq:>6.3f} "
        f"{s.median_ms:>7.1f} {s.p95_ms:>7.1f}"
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset_dir", help="folder of plans with ground truth")
    p.add_argument("--format", choices=["r3d", "ipa"], default="r3d", help="dataset layout")
    p.add_argument("--config", help="detector config JSON (default: the shipped defaults)")
    p.add_argument("--save", help="folder for each plan's JSON, overlay PNG and a per-plan CSV")
    p.add_argument("--scale", type=float, default=1.0, help="enlarge plans and truth S times")
    p.add_argument(
        "--rotate",
        type=int,
        choices=[0, 90, 180, 270],
        default=0,
        help="turn each plan and its truth by this many degrees (counter-clockwise)",
    )
    p.add_argument("--limit", type=int, help="score only the first N plans (sorted by name)")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each plan this many times and keep the fastest (steadier on a busy machine)",
    )
    p.add_argument("--json", dest="json_out", help="also write the summary rows to this file")
    p.add_argument(
        "--text",
        action="store_true",
        help="measure the text stage instead (r3d label read rate and type agreement, time "
        "with text on and off; plus --drawn plans: scale, area and name errors)",
    )
    p.add_argument("--drawn", type=int, default=20, help="drawn plans for --text (seeds 0..N-1)")
    p.add_argument(
        "--drawn-from", type=int, default=0, help="first seed of the --drawn plans (default 0)"
    )
    p.add_argument(
        "--drawn-scale-bar",
        choices=("m", "ft"),
        help="draw the --drawn plans with a scale bar in this unit and no room sizes",
    )
    p.add_argument(
        "--drawn-wide-openings",
        type=int,
        default=0,
        help="open this many interior walls of each --drawn plan wide (two rooms, one region)",
    )
    p.add_argument(
        "--ocr-baseline",
        type=int,
        default=10,
        help="for --text, time the full-page OCR call on this many r3d plans (the baseline)",
    )


def _text_main(root: Path, args: argparse.Namespace) -> int:
    from .text_benchmark import drawn_figures, format_drawn, format_r3d, peak_rss_mib, r3d_figures

    items = [i for _, its in sets_for(root, "r3d") for i in its][: args.limit or None]
    if not items:
        print(f"error: no r3d plans with truth in {root}", file=sys.stderr)
        return 2
    lines = format_r3d(r3d_figures(items, repeat=args.repeat, ocr_baseline=args.ocr_baseline))
    if args.drawn:
        seeds = range(args.drawn_from, args.drawn_from + args.drawn)
        drawing: dict = {"wide_openings": args.drawn_wide_openings}
        if args.drawn_scale_bar:
            drawing.update(scale_bar_unit=args.drawn_scale_bar, sizes=False)
        config = load_config(args.config)
        lines += format_drawn(drawn_figures(seeds, repeat=args.repeat, config=config, **drawing))
    lines += [f"peak RSS {peak_rss_mib():.0f} MiB", "machine: " + describe_machine()]
    print("\n".join(lines))
    return 0


def main(args: argparse.Namespace) -> int:
    """Run the benchmark and print one table; 0 on success, 2 for a missing/empty dataset."""
    root = Path(args.dataset_dir)
    if not root.is_dir():
        print(f"error: {root} is not a folder", file=sys.stderr)
        return 2
    if args.scale <= 0:
        print("error: --scale must be positive", file=sys.stderr)
        return 2
    config: DetectorConfig = load_config(args.config)
    detector = OpenCVDetector(config)
    cv2.setNumThreads(1)  # one core, as the speed bar is stated
    if args.text:
        return _text_main(root, args)
    rows = []
    for label, items in sets_for(root, args.format):
        if args.limit:
            items = items[: args.limit]
        if not items:
            if args.format == "r3d" or label == "ipa plain":
                print(f"error: no {args.format} plans with truth in {root}", file=sys.stderr)
                return 2
            continue  # a clutter variant the folder does not hold
        save = None
        if args.save:
            save = Path(args.save) if args.format == "r3d" else Path(args.save) / label.split()[1]
        scores = run_items(
            detector, items, scale=args.scale, save=save, repeat=args.repeat, rotate=args.rotate
        )
        if args.scale != 1:
            label = f"{label} x{args.scale:g}"
        if args.rotate:
            label = f"{label} rot{args.rotate}"
        rows.append((label, summarise(scores)))
    print(HEADER)
    for label, s in rows:
        print(format_row(label, s))
    print(f"machine: {describe_machine()}")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps(
                {label: s.__dict__ for label, s in rows} | {"machine": describe_machine()}, indent=2
            )
        )
    return 0
