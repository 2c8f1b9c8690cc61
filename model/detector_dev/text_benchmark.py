"""`location-detector benchmark --text`: what the text stage reads, against known truth.

Drawn plans (`synthetic.draw_plan`, whose names, printed sizes and scale are exact): the
scale error, the real-area error of matched rooms, names read and types right. R3D (whose
`_rooms.png` colours give each room's type): the share of matched rooms that get a label,
per type, and whether the label's type agrees with the colour. Both: time per plan with text
on and off on one thread (and the straightforward full-page OCR call as the baseline, where
`rapidocr` is installed), and the process's peak RSS.
"""

from __future__ import annotations

import logging
import resource
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from detector.config import DetectorConfig
from detector.imageio import decode_plan
from detector.opencv_detector import OpenCVDetector
from detector.results import Page

from .datasets import R3D_ROOM_COLOURS_RGB, Item, fit_truth, load_truth
from .scoring import MATCH_IOU, match_rooms, rasterise_rooms, summarise
from .synthetic import draw_plan

log = logging.getLogger(__name__)

R3D_CLASSES = ("closet", "bathroom", "living", "bedroom", "hall", "balcony")  # colour order
# The vocabulary as R3D colours it (living, kitchen and dining share one colour).
TO_R3D = {
    "bedroom": "bedroom",
    "bathroom": "bathroom",
    "kitchen": "living",
    "living": "living",
    "dining": "living",
    "hall": "hall",
    "closet": "closet",
    "balcony": "balcony",
    "utility": "closet",
    "office": "bedroom",
}
AREA_TOLERANCE = 0.03
SCALE_TOLERANCE = 0.02


def matches(page: Page, labels: np.ndarray) -> list[tuple[int, int]]:
    """(room index, truth label) pairs whose IoU is over `MATCH_IOU` (a match is unique)."""
    areas = np.bincount(labels.ravel())
    out = []
    for i, room in enumerate(page.rooms):
        mask = np.zeros(labels.shape, np.uint8)
        cv2.fillPoly(mask, [np.round(np.asarray(room.polygon)).astype(np.int32)], 1)
        inside = labels[mask > 0]
        counts = np.bincount(inside, minlength=len(areas))
        counts[0] = 0
        k = int(counts.argmax())
        if k and counts[k] / (int(mask.sum()) + areas[k] - counts[k]) > MATCH_IOU:
            out.append((i, k))
    return out


def _cpu_ms(fn, repeat: int) -> tuple[float, object]:
    """Fastest of `repeat` runs in CPU milliseconds of this process (one thread)."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        result = fn()
        best = min(best, (time.process_time() - t0) * 1e3)
    return best, result


@dataclass
class TextFigures:
    plans: int = 0
    rooms: int = 0  # matched rooms
    scale_found: int = 0
    scale_errors: list[float] = field(default_factory=list)
    area_errors: list[float] = field(default_factory=list)
    named: int = 0  # matched rooms with the right name (drawn) / with a label (R3D)
    typed: Counter = field(default_factory=Counter)  # (truth type, given type) -> rooms
    per_class: Counter = field(default_factory=Counter)  # truth type -> matched rooms
    labelled_per_class: Counter = field(default_factory=Counter)
    ms_on: list[float] = field(default_factory=list)
    ms_off: list[float] = field(default_factory=list)
    ms_ocr: list[float] = field(default_factory=list)
    drawn: int = 0  # drawn plans: rooms drawn and found
    found: int = 0
    methods: Counter = field(default_factory=Counter)  # scale method -> plans
    scores: list = field(default_factory=list)  # r3d: PlanScore of the rooms text on gives


def drawn_figures(
    seeds: Sequence[int],
    *,
    width: int = 1200,
    height: int = 900,
    repeat: int = 1,
    config: DetectorConfig | None = None,
    **drawing,
) -> TextFigures:
    """Scale, area, name and type figures on drawn plans (`drawing`: `draw_plan`'s options,
    e.g. a scale bar, no printed sizes, wide openings)."""
    from detector.text.vocabulary import type_of_label

    base = config or DetectorConfig()
    on = OpenCVDetector(base.model_copy(update={"text_budget_ms": 60_000, "read_text": True}))
    off = OpenCVDetector(base.model_copy(update={"read_text": False}))
    f = TextFigures()
    for seed in seeds:
        plan = draw_plan(seed, width, height, **drawing)
        ms_on, page = _cpu_ms(lambda p=plan: on.detect_page(p.image), repeat)
        ms_off, _ = _cpu_ms(lambda p=plan: off.detect_page(p.image), repeat)
        f.ms_on.append(ms_on)
        f.ms_off.append(ms_off)
        f.plans += 1
        f.drawn += plan.room_count
        f.found += len(page.rooms)
        f.methods[page.scale["method"]] += 1
        if page.scale["px_per_m"] is not None:
            f.scale_found += 1
            f.scale_errors.append(page.scale["px_per_m"] / plan.px_per_m - 1)
        areas = np.bincount(plan.labels.ravel())
        for i, k in matches(page, plan.labels):
            room = page.rooms[i]
            f.rooms += 1
            truth_type = type_of_label(plan.room_names[k - 1])
            f.per_class[truth_type] += 1
            f.typed[(truth_type, room.type)] += 1
            if room.label and room.label.lower() == plan.room_names[k - 1].lower():
                f.named += 1
            if room.area_m2 is not None:
                f.area_errors.append(room.area_m2 / (areas[k] / plan.px_per_m**2) - 1)
    return f


def _r3d_classes(item: Item, labels: np.ndarray) -> dict[int, str]:
    rgb = cv2.imread(str(item.truth), cv2.IMREAD_COLOR)[:, :, ::-1]
    if rgb.shape[:2] != labels.shape:
        rgb = cv2.resize(rgb, labels.shape[::-1], interpolation=cv2.INTER_NEAREST)
    out = {}
    for k in range(1, int(labels.max()) + 1):
        ys, xs = np.nonzero(labels == k)
        colour = tuple(int(v) for v in rgb[ys[0], xs[0]])
        if colour in R3D_ROOM_COLOURS_RGB:
            out[k] = R3D_CLASSES[R3D_ROOM_COLOURS_RGB.index(colour)]
    return out


def r3d_figures(
    items: Sequence[Item],
    *,
    repeat: int = 1,
    ocr_baseline: int = 0,
    config: DetectorConfig | None = None,
) -> TextFigures:
    """Label read rate per R3D class and the labels' type agreement; PQ of the rooms as the
    text stage leaves them; time on and off; the first `ocr_baseline` plans are also read by
    the full-page OCR call, for the ratio."""
    base = config or DetectorConfig()
    on = OpenCVDetector(base.model_copy(update={"text_budget_ms": 60_000, "read_text": True}))
    off = OpenCVDetector(base.model_copy(update={"read_text": False}))
    full_ocr = _full_page_ocr() if ocr_baseline else None
    f = TextFigures()
    for n, item in enumerate(items):
        image = decode_plan(item.plan.read_bytes(), on.config).pages[0]
        labels = load_truth(item)
        if labels.shape != image.shape[:2]:
            labels = fit_truth(labels, image.shape[:2], item.name)
        classes = _r3d_classes(item, labels)
        ms_on, page = _cpu_ms(lambda im=image: on.detect_page(im), repeat)
        ms_off, _ = _cpu_ms(lambda im=image: off.detect_page(im), repeat)
        f.ms_on.append(ms_on)
        f.ms_off.append(ms_off)
        if full_ocr is not None and n < ocr_baseline:
            f.ms_ocr.append(_cpu_ms(lambda im=image: full_ocr(im), repeat)[0])
        f.plans += 1
        f.scale_found += page.scale["px_per_m"] is not None
        f.methods[page.scale["method"]] += 1
        polygons = [r.polygon for r in page.rooms]  # after the text stage (label splits)
        f.scores.append(match_rooms(rasterise_rooms(polygons, labels.shape), labels, item.name))
        for i, k in matches(page, labels):
            truth = classes.get(k)
            if truth is None:
                continue
            room = page.rooms[i]
            f.rooms += 1
            f.per_class[truth] += 1
            if room.label:
                f.named += 1
                f.labelled_per_class[truth] += 1
                f.typed[(truth, TO_R3D.get(room.type or ""))] += 1
    return f


def _full_page_ocr():
    """The straightforward call: rapidocr's own detector and recogniser on the whole page,
    on one thread (the baseline the text stage's speed is a ratio against)."""
    try:
        from rapidocr import RapidOCR
    except ImportError:  # pragma: no cover - rapidocr is a runtime pin
        return None
    engine = RapidOCR(
        params={
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            "Global.log_level": "error",
        }
    )
    return lambda image: engine(image)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _med(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def format_drawn(f: TextFigures) -> list[str]:
    se = np.abs(np.array(f.scale_errors))
    ae = np.abs(np.array(f.area_errors))
    right_types = sum(n for (t, g), n in f.typed.items() if t == g)
    return [
        f"drawn plans: {f.plans} plans, rooms drawn {f.drawn}, found {f.found}, matched "
        f"{f.rooms} (IoU > {MATCH_IOU}); scale methods {dict(sorted(f.methods.items()))}",
        f"  scale found on {f.scale_found}/{f.plans} plans; |error| median "
        f"{_med(se.tolist()) * 100:.2f} %, max {se.max(initial=0) * 100:.2f} %, "
        f"within {SCALE_TOLERANCE:.0%}: {(se <= SCALE_TOLERANCE).mean() if se.size else 0:.3f}",
        f"  area given for {len(ae)}/{f.rooms} matched rooms; within {AREA_TOLERANCE:.0%}: "
        f"{(ae <= AREA_TOLERANCE).sum() / max(f.rooms, 1):.3f} of matched rooms; |error| median "
        f"{_med(ae.tolist()) * 100:.2f} %",
        f"  names read exactly: {f.named / max(f.rooms, 1):.3f}; types right: "
        f"{right_types / max(f.rooms, 1):.3f}",
        f"  time per plan (CPU ms, one thread): text on {_med(f.ms_on):.1f}, "
        f"off {_med(f.ms_off):.1f} (median)",
    ]


def format_r3d(f: TextFigures) -> list[str]:
    lines = [
        f"r3d: {f.plans} plans, {f.rooms} matched rooms with a type colour; scale found on "
        f"{f.scale_found}/{f.plans} plans",
        f"  label read rate {f.named / max(f.rooms, 1):.3f} of matched rooms; per class:",
    ]
    for c in R3D_CLASSES:
        n = f.per_class[c]
        labelled = f.labelled_per_class[c]
        right = f.typed[(c, c)]
        lines.append(
            f"    {c:<9} {n:>4} rooms, labelled {labelled / max(n, 1):.3f}, "
            f"label type right {right}/{labelled}"
        )
    if f.scores:
        s = summarise(f.scores)
        lines.append(
            f"  rooms with text on: det {s.detected}, tp {s.tp}, RQ {s.rq:.4f}, SQ {s.sq:.4f}, "
            f"PQ {s.pq:.4f}, planPQ {s.mean_plan_pq:.4f}; scale methods "
            f"{dict(sorted(f.methods.items()))}"
        )
    right = sum(n for (t, g), n in f.typed.items() if t == g)
    labelled = sum(f.labelled_per_class.values())
    lines.append(f"  type from label right: {right}/{labelled} = {right / max(labelled, 1):.3f}")
    ratio = ""
    if f.ms_ocr:
        n = len(f.ms_ocr)
        base, ours = _med(f.ms_ocr), _med(f.ms_on[:n])
        ratio = (
            f"; full-page OCR call {base:.1f} on the first {n} (text on / OCR = {ours / base:.2f})"
        )
    lines.append(
        f"  time per plan (CPU ms, one thread, median): text on {_med(f.ms_on):.1f}, off "
        f"{_med(f.ms_off):.1f} (on / off = {_med(f.ms_on) / _med(f.ms_off):.2f}){ratio}"
    )
    return lines
