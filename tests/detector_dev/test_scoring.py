"""The benchmark's scoring on tiny hand-made masks, with exact expected numbers."""

from __future__ import annotations

import numpy as np
import pytest

from detector_dev.scoring import (
    PlanScore,
    match_rooms,
    rasterise_rooms,
    summarise,
)


def _det(mask: np.ndarray):
    """A full-page detected mask in the (box, crop) form `match_rooms` takes."""
    h, w = mask.shape
    return ((0, 0, w, h), mask.astype(bool))


def test_perfect_match_scores_one():
    gt = np.zeros((4, 6), np.int32)
    gt[:, :3] = 1
    gt[:, 3:] = 2
    s = match_rooms([_det(gt == 1), _det(gt == 2)], gt)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.iou_sum == pytest.approx(2.0)
    assert s.pq == pytest.approx(1.0)


def test_partial_overlap_iou_and_threshold():
    gt = np.zeros((1, 10), np.int32)
    gt[0, :6] = 1  # 6 px room
    det = np.zeros((1, 10), bool)
    det[0, 2:8] = True  # 4 px shared, union 8 -> IoU 0.5: not a match (needs > 0.5)
    s = match_rooms([_det(det)], gt)
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)
    det2 = np.zeros((1, 10), bool)
    det2[0, 1:7] = True  # 5 shared, union 7 -> IoU 5/7
    s2 = match_rooms([_det(det2)], gt)
    assert (s2.tp, s2.fp, s2.fn) == (1, 0, 0)
    assert s2.iou_sum == pytest.approx(5 / 7)


def test_one_to_one_even_with_overlapping_detections():
    gt = np.zeros((1, 10), np.int32)
    gt[0, :8] = 1
    a = np.zeros((1, 10), bool)
    a[0, :8] = True  # IoU 1
    b = np.zeros((1, 10), bool)
    b[0, :7] = True  # IoU 7/8, overlaps a: must not match the same room twice
    s = match_rooms([_det(b), _det(a)], gt)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)
    assert s.iou_sum == pytest.approx(1.0)


def test_pooled_figures():
    # plan A: 2 matches (IoU 1.0 and 0.8), 1 false positive; plan B: 1 miss, nothing found
    scores = [PlanScore("a", 2, 1, 0, 1.8, ms=10.0), PlanScore("b", 0, 0, 1, 0.0, ms=30.0)]
    s = summarise(scores)
    assert (s.gt, s.detected, s.tp) == (3, 3, 2)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 3)
    assert s.rq == pytest.approx(2 / (2 + 0.5 + 0.5))
    assert s.sq == pytest.approx(0.9)
    assert s.pq == pytest.approx(0.9 * 2 / 3)
    # per-plan PQ: A = 1.8 / 2.5, B = 0
    assert s.mean_plan_pq == pytest.approx((1.8 / 2.5 + 0.0) / 2)
    assert s.median_ms == pytest.approx(20.0)


def test_empty_plan_with_nothing_found_is_perfect():
    assert PlanScore("x", 0, 0, 0, 0.0).pq == 1.0


def test_rasterise_includes_boundary_pixels_and_clips_to_page():
    [(box, mask)] = rasterise_rooms([[[1, 1], [3, 1], [3, 2], [1, 2]]], (5, 5))
    assert box == (1, 1, 3, 2)
    assert mask.sum() == 6
    [(box2, mask2)] = rasterise_rooms([[[-5, -5], [2, -5], [2, 2], [-5, 2]]], (4, 4))
    assert box2 == (0, 0, 3, 3) and mask2.all()
