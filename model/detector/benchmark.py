"""`location-detector benchmark`: scores the detector on a dataset with room ground truth.

Scoring follows `shared/datasets/README.md` exactly, so figures are comparable across
changes: detected room polygons are rasterised to masks at the page's size, matched one to
one with ground-truth rooms where IoU > 0.5, and pooled over the set as precision, recall,
RQ (F1 of room detection), SQ (mean IoU of matches) and PQ = SQ x RQ; plus the per-plan mean
PQ and the detector's time per plan (detect only, decode excluded, in-process, one core).

Ground truth:
- r3d: for each room-type colour of `<id>_rooms.png`, remove the `<id>_close_wall.png`
  pixels (walls and openings), take 4-connected components, drop those under 50 px.
- ipa: `<map>_gt_segmentation.png`, white regions (grey > 250), 8-connected, over 100 px;
  the plain map and its `_furnitures` / `_furnitures_trashbins` variants are scored against
  the same truth. Maps without a `_gt_segmentation.png` are skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .config import DetectorConfig, load_config
from .imageio import decode_plan
from .opencv_detector import OpenCVDetector
from .results import Page, Room, Source, success_document

log = logging.getLogger(__name__)

# Room-type colours of the R3D annotations (RGB), as listed in the datasets README.
R3D_ROOM_COLOURS_RGB: tuple[tuple[int, int, int], ...] = (
    (192, 192, 224),  # closet
    (192, 255, 255),  # bathroom
    (224, 255, 192),  # living / kitchen / dining
    (255, 224, 128),  # bedroom
    (255, 160, 96),  # hall
    (255, 224, 224),  # balcony / terrace
)
R3D_MIN_ROOM_PX = 50  # components under this are dropped (README)
IPA_MIN_ROOM_PX = 100  # components must be over this (README)
IPA_WHITE_ABOVE = 250
# (file suffix, label): the plain maps and the cluttered variants scored against the same truth.
IPA_VARIANTS = (
    ("", "plain"),
    ("_furnitures", "furnitures"),
    ("_furnitures_trashbins", "furnitures_trashbins"),
)
MATCH_IOU = 0.5


# --------------------------------------------------------------------------- ground truth


def r3d_gt_instances(rooms_rgb: np.ndarray, close_wall: np.ndarray) -> np.ndarray:
    """Room instances of an R3D plan: int32 label image (0 = no room, 1..n = rooms).

    `rooms_rgb` is the `_rooms.png` colour map in RGB order, `close_wall` the single-channel
    walls-plus-openings mask. Each room-type colour minus the close_wall pixels, split into
    4-connected components; components under 50 px are dropped.
    """
    labels = np.zeros(rooms_rgb.shape[:2], np.int32)
    blocked = close_wall > 127
    n = 0
    for colour in R3D_ROOM_COLOURS_RGB:
        mask = np.all(rooms_rgb == np.array(colour, np.uint8), axis=-1) & ~blocked
        count, comp, stats, _ = cv2.connectedComponentsWithStats(
            mask.astype(np.uint8), connectivity=4
        )
        for i in range(1, count):
            if stats[i, cv2.CC_STAT_AREA] >= R3D_MIN_ROOM_PX:
                n += 1
                labels[comp == i] = n
    return labels


def ipa_gt_instances(gt_image: np.ndarray) -> np.ndarray:
    """Room instances of an IPA map: int32 label image from its `_gt_segmentation.png`.

    White regions (grey > 250), 8-connected, over 100 px; everything else is 0.
    """
    grey = _to_grey8(gt_image)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(
        (grey > IPA_WHITE_ABOVE).astype(np.uint8), connectivity=8
    )
    keep = np.zeros(count, np.int32)
    n = 0
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] > IPA_MIN_ROOM_PX:
            n += 1
            keep[i] = n
    return keep[comp]


def _to_grey8(img: np.ndarray) -> np.ndarray:
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    elif img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return img


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class PlanScore:
    """One plan's match counts: true positives, false positives/negatives, summed IoU."""

    name: str
    tp: int
    fp: int
    fn: int
    iou_sum: float
    ms: float = 0.0

    @property
    def pq(self) -> float:
        """PQ of this plan (SQ x RQ); a plan with nothing to find and nothing found is 1."""
        denom = self.tp + 0.5 * self.fp + 0.5 * self.fn
        return self.iou_sum / denom if denom else 1.0


@dataclass(frozen=True)
class Summary:
    """Pooled figures over a set of plans."""

    plans: int
    gt: int
    detected: int
    tp: int
    precision: float
    recall: float
    rq: float
    sq: float
    pq: float
    mean_plan_pq: float
    median_ms: float
    p95_ms: float


def rasterise_rooms(
    polygons: Sequence[Sequence[Sequence[float]]], shape: tuple[int, int]
) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """Each polygon as a filled mask cropped to its box: list of ((x, y, w, h), bool mask).

    Pixel centres inside the polygon (or on its boundary) are in; the crop keeps memory
    proportional to the room, not the page.
    """
    h, w = shape
    out = []
    for poly in polygons:
        pts = np.round(np.asarray(poly, np.float64)).astype(np.int32).reshape(-1, 2)
        if len(pts) < 3:
            continue
        x0, y0 = np.clip(pts.min(0), 0, [w - 1, h - 1])
        x1, y1 = np.clip(pts.max(0), 0, [w - 1, h - 1])
        mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
        cv2.fillPoly(mask, [pts - [x0, y0]], 1)
        out.append(((int(x0), int(y0), int(x1 - x0 + 1), int(y1 - y0 + 1)), mask.astype(bool)))
    return out


def match_rooms(
    detected: Sequence[tuple[tuple[int, int, int, int], np.ndarray]],
    gt_labels: np.ndarray,
    name: str = "",
) -> PlanScore:
    """One-to-one matches at IoU > 0.5 between detected masks and a ground-truth label image.

    `detected` is what `rasterise_rooms` returns. With non-overlapping masks an IoU > 0.5
    match is unique; pairs are still taken greedily by IoU so overlapping detections can
    never match one ground-truth room twice.
    """
    n_gt = int(gt_labels.max()) if gt_labels.size else 0
    gt_area = np.bincount(gt_labels.ravel(), minlength=n_gt + 1).astype(np.float64)
    pairs: list[tuple[float, int, int]] = []
    for d, ((x, y, w, h), mask) in enumerate(detected):
        crop = gt_labels[y : y + h, x : x + w][mask]
        inter = np.bincount(crop, minlength=n_gt + 1).astype(np.float64)
        area = float(mask.sum())
        for g in np.flatnonzero(inter[1:]) + 1:
            iou = inter[g] / (area + gt_area[g] - inter[g])
            if iou > MATCH_IOU:
                pairs.append((float(iou), d, int(g)))
    pairs.sort(reverse=True)
    used_d: set[int] = set()
    used_g: set[int] = set()
    iou_sum = 0.0
    for iou, d, g in pairs:
        if d in used_d or g in used_g:
            continue
        used_d.add(d)
        used_g.add(g)
        iou_sum += iou
    tp = len(used_d)
    return PlanScore(name, tp=tp, fp=len(detected) - tp, fn=n_gt - tp, iou_sum=iou_sum)


def summarise(scores: Sequence[PlanScore]) -> Summary:
    """Pool plan scores into the set's figures (see the module docstring)."""
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    iou = sum(s.iou_sum for s in scores)
    det, gt = tp + fp, tp + fn
    rq_denom = tp + 0.5 * fp + 0.5 * fn
    rq = tp / rq_denom if rq_denom else 0.0
    sq = iou / tp if tp else 0.0
    ms = sorted(s.ms for s in scores)
    return Summary(
        plans=len(scores),
        gt=gt,
        detected=det,
        tp=tp,
        precision=tp / det if det else 0.0,
        recall=tp / gt if gt else 0.0,
        rq=rq,
        sq=sq,
        pq=rq * sq,
        mean_plan_pq=statistics.fmean(s.pq for s in scores) if scores else 0.0,
        median_ms=statistics.median(ms) if ms else 0.0,
        p95_ms=float(np.percentile(ms, 95)) if ms else 0.0,
    )


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Item:
    """One plan to score: its name, the plan file and a loader for its truth."""

    name: str
    plan: Path
    truth: Path
    format: str


def r3d_items(root: Path) -> list[Item]:
    items = []
    for rooms in sorted(root.glob("*_rooms.png")):
        stem = rooms.name[: -len("_rooms.png")]
        plan = root / f"{stem}.jpg"
        if not plan.is_file():
            candidates = sorted(root.glob(f"{stem}.*"))
            if not candidates:
                continue
            plan = candidates[0]
        items.append(Item(stem, plan, rooms, "r3d"))
    return items


def ipa_items(root: Path, variant: str) -> list[Item]:
    items = []
    for gt in sorted(root.glob("*_gt_segmentation.png")):
        stem = gt.name[: -len("_gt_segmentation.png")]
        plan = root / f"{stem}{variant}.png"
        if plan.is_file():
            items.append(Item(stem, plan, gt, "ipa"))
    return items


def load_truth(item: Item) -> np.ndarray:
    if item.format == "r3d":
        rooms = cv2.imread(str(item.truth), cv2.IMREAD_COLOR)
        cw_path = item.truth.with_name(item.truth.name.replace("_rooms.png", "_close_wall.png"))
        close_wall = cv2.imread(str(cw_path), cv2.IMREAD_GRAYSCALE)
        if rooms is None or close_wall is None:
            raise FileNotFoundError(f"missing or unreadable truth for {item.name}")
        return r3d_gt_instances(rooms[:, :, ::-1], close_wall)
    gt = cv2.imread(str(item.truth), cv2.IMREAD_UNCHANGED)
    if gt is None:
        raise FileNotFoundError(f"unreadable truth {item.truth}")
    return ipa_gt_instances(gt)


def fit_truth(labels: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    """Truth resampled (nearest) to a plan stored at another resolution of the same map.

    One IPA variant (lab_b_scan_furnitures_trashbins) is stored at 2/3 of its truth's size;
    a different aspect ratio means a different map, which is an error.
    """
    (gh, gw), (ph, pw) = labels.shape, shape
    if abs(gh / gw - ph / pw) > 0.01 * gh / gw:
        raise ValueError(f"{name}: truth {labels.shape} and plan {shape} are different maps")
    log.warning("%s: truth %s resampled to the plan's %s", name, labels.shape, shape)
    return cv2.resize(labels, (pw, ph), interpolation=cv2.INTER_NEAREST)


def enlarge(image: np.ndarray, labels: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The plan and its truth `scale` times larger (plan: cubic, truth: nearest)."""
    if scale == 1:
        return image, labels
    h, w = image.shape[:2]
    size = (round(w * scale), round(h * scale))
    big = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
    big_labels = cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)
    return big, big_labels


# --------------------------------------------------------------------------- running


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
    grey = _to_grey8(page if page.dtype == np.uint8 else cv2.convertScaleAbs(page))
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


# --------------------------------------------------------------------------- report


def machine() -> str:
    """CPU model, cores and library versions, for the line under every table."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {model}, {os.cpu_count()} cores (detector run on 1 thread), "
        f"python {platform.python_version()}, opencv {cv2.__version__}, numpy {np.__version__}"
    )


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


def sets_for(root: Path, fmt: str) -> list[tuple[str, list[Item]]]:
    """The (label, plans) sets a dataset folder holds: one for r3d, three for ipa."""
    if fmt == "r3d":
        return [("r3d", r3d_items(root))]
    return [(f"ipa {label}", ipa_items(root, suffix)) for suffix, label in IPA_VARIANTS]


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
    print(machine())
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({label: s.__dict__ for label, s in rows} | {"machine": machine()}, indent=2)
        )
    return 0
