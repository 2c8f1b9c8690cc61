"""The recipe (`trace_rooms`) and `OpenCVDetector` on small plans drawn with exact truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector, trace_rooms
from detector.stages import (
    to_grey8,
)
from detector_dev.scoring import match_rooms, rasterise_rooms
from detector_dev.synthetic import compare_with_truth, draw_plan, draw_two_rooms


def score(rooms, labels):
    return match_rooms(rasterise_rooms([r.polygon for r in rooms], labels.shape), labels)


@pytest.fixture(scope="module")
def detector() -> OpenCVDetector:
    return OpenCVDetector()


def test_open_doorway_separates_two_rooms(detector):
    img, labels = draw_two_rooms(window=False, clutter=False)
    s = score(detector.detect_rooms(img), labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.iou_sum / s.tp > 0.95


def test_window_in_exterior_wall_is_sealed(detector):
    img, labels = draw_two_rooms(doorway=False, clutter=False)
    s = score(detector.detect_rooms(img), labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.iou_sum / s.tp > 0.9


def test_text_arcs_furniture_and_dimensions_are_not_walls(detector):
    img, labels = draw_two_rooms()
    s = score(detector.detect_rooms(img), labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.iou_sum / s.tp > 0.9


def test_outside_is_never_a_room(detector):
    img, _ = draw_two_rooms()
    building = np.zeros(img.shape, bool)
    building[50:250, 50:350] = True
    for r in detector.detect_rooms(img):
        [(box, mask)] = rasterise_rooms([r.polygon], img.shape)
        x, y, w, h = box
        assert (mask & ~building[y : y + h, x : x + w]).sum() <= 0.01 * mask.sum()


def test_rotated_plan_finds_the_same_rooms(detector):
    img, labels = draw_two_rooms()
    rot, rot_labels = np.rot90(img).copy(), np.rot90(labels).copy()
    s = score(detector.detect_rooms(rot), rot_labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.iou_sum / s.tp > 0.9


@pytest.mark.parametrize("s", [2, 4])
def test_enlarged_plan_finds_the_same_rooms(detector, s):
    img, labels = draw_two_rooms()
    big = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
    big_labels = cv2.resize(labels, None, fx=s, fy=s, interpolation=cv2.INTER_NEAREST)
    sc = score(detector.detect_rooms(big), big_labels)
    assert (sc.tp, sc.fp, sc.fn) == (2, 0, 0)
    assert sc.iou_sum / sc.tp > 0.9


def test_drawn_at_three_times_the_resolution(detector):
    img, labels = draw_two_rooms(3)
    s = score(detector.detect_rooms(img), labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)


def test_room_fields_are_consistent(detector):
    img, _ = draw_two_rooms()
    rooms = detector.detect_rooms(img)
    assert [r.id for r in rooms] == ["room-001", "room-002"]
    assert rooms[0].centroid[0] < rooms[1].centroid[0]  # reading order
    for r in rooms:
        x, y, w, h = r.bbox
        assert x <= r.centroid[0] <= x + w and y <= r.centroid[1] <= y + h
        assert r.area_fraction == pytest.approx(r.area_px / img.size)
        assert 0.5 < r.confidence <= 1.0
        assert r.perimeter_px > 0 and r.label is None


@pytest.mark.parametrize(
    "page",
    [
        np.full((300, 400), 255, np.uint8),
        np.full((300, 400), 128, np.uint8),
        np.zeros((300, 400), np.uint8),
        np.full((5, 7), 255, np.uint8),
        np.zeros((1, 1), np.uint8),
        np.full((300, 400, 4), 0, np.uint8),  # fully transparent: white paper
    ],
    ids=["white", "grey", "black", "tiny", "1x1", "transparent"],
)
def test_blank_pages_give_zero_rooms(detector, page):
    assert detector.detect_rooms(page) == []


@pytest.mark.parametrize("shape", [(32, 32), (33, 1000), (1000, 33)])
def test_a_page_hatched_all_over_gives_zero_rooms(detector, shape):
    page = np.full(shape, 255, np.uint8)
    page[::5, :] = 0  # hatching that closes into one band covering the page
    assert detector.detect_rooms(page) == []


def test_any_channels_and_depth_give_the_same_rooms(detector):
    img, _ = draw_two_rooms(clutter=False)
    want = [r.polygon for r in detector.detect_rooms(img)]
    bgr = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    bgra = cv2.cvtColor(img, cv2.COLOR_GRAY2BGRA)
    variants = [bgr, bgra, img.astype(np.uint16) * 257, img.astype(np.float32) / 255]
    for v in variants:
        assert [r.polygon for r in detector.detect_rooms(v)] == want
    # a bool page has no grey, so no window lines: draw it without a window
    img, labels = draw_two_rooms(window=False, clutter=False)
    s = score(detector.detect_rooms(img > 127), labels)
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)


def test_trace_exposes_each_stage():
    img, _ = draw_two_rooms()
    tr = trace_rooms(img, DetectorConfig())
    assert 6 <= tr.thickness_px <= 10
    assert tr.walls is not None and tr.bridges is not None and tr.outside is not None
    # the doorway is closed from jamb to jamb (wall ends are rounded, so not every column)
    assert tr.bridges[130:170, 197:203].any(axis=1).all()
    assert tr.outside[0, 0] and not tr.outside[150, 120]
    assert len(tr.regions) == 2


def test_walls_are_not_window_lines_unless_drawn_with_the_pen():
    img, _ = draw_two_rooms()  # solid walls: partitions thinner than t are walls, not lines
    tr = trace_rooms(img, DetectorConfig())
    assert tr.walls.any() and tr.lines.any() and not (tr.lines & tr.walls).any()
    outlined = np.full((300, 400), 255, np.uint8)  # walls drawn as two pen lines
    cv2.rectangle(outlined, (50, 50), (350, 250), 0, 2)
    cv2.rectangle(outlined, (58, 58), (342, 242), 0, 2)
    cv2.line(outlined, (197, 58), (197, 242), 0, 2)
    cv2.line(outlined, (203, 58), (203, 242), 0, 2)
    tr = trace_rooms(outlined, DetectorConfig())
    assert (tr.lines & tr.walls).any() and len(tr.regions) == 2


def test_a_thin_line_beside_a_wall_face_is_not_a_window():
    img = np.full((300, 400), 255, np.uint8)
    img[40:260, 40:360] = 0
    img[48:252, 48:352] = 255  # one room, 8 px walls
    img[146:154, 48:180] = 0  # a stub wall whose free end points across the room
    img[154, 180:352] = 0  # a worktop's edge running on from the stub's face, 1 px off
    tr = trace_rooms(img, DetectorConfig())
    assert not tr.bridges[140:160, 180:352].any()
    assert len(tr.regions) == 1  # not cut in two by a "window" along the line


def test_partitions_a_third_of_the_exterior_walls_survive_the_working_grid(detector):
    # A big drawing whose exterior walls are three times its partitions: the working grid
    # must stay fine enough for the partitions to remain walls (every room found).
    plan = draw_plan(1, 6000, 4500, noise=0.3)
    assert plan.exterior_wall_px >= 3 * min(plan.interior_wall_px)
    rooms = detector.detect_rooms(plan.image)
    res = compare_with_truth([r.polygon for r in rooms], plan.labels)
    assert res.matched == res.drawn


@pytest.mark.parametrize("seed", [1, 3])
def test_enlarged_plans_land_on_the_same_working_grid(seed):
    # 1x, 2x and 4x of a drawing are measured on the same preview, so they are halved to
    # the same working grid and see the same wall thickness there.
    config = DetectorConfig()
    img = draw_plan(seed, 1000, 750, noise=0.3).image
    base = trace_rooms(to_grey8(img), config)
    for s in (2, 4):
        big = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
        tr = trace_rooms(to_grey8(big), config)
        assert tr.scale * s == base.scale
        assert abs(tr.thickness_px - base.thickness_px) <= 1
        assert abs(len(tr.regions) - len(base.regions)) <= 1
