"""Scoring detected rooms against ground truth, as `shared/datasets/README.md` defines it.

Detected room polygons are rasterised to masks at the page's size, matched one to one with
ground-truth rooms where IoU > 0.5, and pooled over a set as precision, recall, RQ (F1 of
room detection), SQ (mean IoU of matches) and PQ = SQ x RQ, plus the per-plan mean PQ.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

MATCH_IOU = 0.5


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
