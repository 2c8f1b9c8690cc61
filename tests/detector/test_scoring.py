"""The benchmark's scoring on tiny hand-made masks, with exact expected numbers."""

from __future__ import annotations

import numpy as np
import pytest

from detector.benchmark import (
    PlanScore,
    ipa_gt_instances,
    match_rooms,
    r3d_gt_instances,
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


def test_r3d_truth_removes_walls_and_openings_and_splits_4_connected():
    rooms = np.zeros((12, 20, 3), np.uint8)
    rooms[:, :] = (224, 255, 192)  # one living-room colour everywhere...
    close_wall = np.zeros((12, 20), np.uint8)
    close_wall[:, 9:11] = 255  # ...split by a wall (or door) band into two instances
    rooms[0:2, 0:2] = (10, 10, 10)  # not a room colour: not a room
    labels = r3d_gt_instances(rooms, close_wall)
    assert labels.max() == 2
    assert (labels[:, 9:11] == 0).all()
    assert labels[0, 0] == 0
    # pieces under 50 px are dropped
    tiny = np.zeros((12, 20, 3), np.uint8)
    tiny[0:7, 0:7] = (192, 255, 255)  # 49 px bathroom
    assert r3d_gt_instances(tiny, np.zeros((12, 20), np.uint8)).max() == 0


def test_r3d_truth_colours_are_exact():
    rooms = np.zeros((10, 10, 3), np.uint8)
    rooms[:] = (225, 255, 193)  # off by one: the README's colours are exact
    assert r3d_gt_instances(rooms, np.zeros((10, 10), np.uint8)).max() == 0


def test_ipa_truth_white_regions_8_connected_over_100_px():
    gt = np.zeros((40, 40), np.uint8)
    gt[0:11, 0:11] = 255  # 121 px
    gt[11:22, 11:22] = 255  # touches the first diagonally: 8-connected, one region
    gt[35:40, 35:40] = 255  # 25 px: dropped
    gt[0:11, 28:38] = 251  # grey > 250 counts as white: 110 px
    gt[30:40, 0:10] = 250  # not > 250: not a room
    labels = ipa_gt_instances(np.dstack([gt] * 3))
    assert labels.max() == 2
    assert labels[0, 0] == labels[21, 21]
