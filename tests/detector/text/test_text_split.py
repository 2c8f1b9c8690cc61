"""A region holding two rooms' names is split where a narrowing parts them, not elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector
from detector.results import Room
from detector.text.reading import Word
from detector.text.split import split_by_labels
from detector_dev.synthetic import compare_with_truth, draw_plan


def room(polygon, rid="room-001"):
    p = np.asarray(polygon, np.float64)
    x0, y0 = p.min(axis=0)
    x1, y1 = p.max(axis=0)
    area = 0.5 * abs(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(np.roll(p[:, 0], -1), p[:, 1]))
    return Room(
        id=rid,
        polygon=p.tolist(),
        bbox=[x0, y0, x1 - x0, y1 - y0],
        area_px=area,
        area_fraction=0.1,
        centroid=[(x0 + x1) / 2, (y0 + y1) / 2],
        perimeter_px=2 * (x1 - x0 + y1 - y0),
        confidence=0.9,
    )


# two 200 x 200 rooms side by side, the wall between them opened but for a 40 px stub at
# each end (its ends are the region's reflex corners)
TWO_ROOMS = room(
    [[0, 0], [200, 0], [200, 40], [210, 40], [210, 0], [410, 0], [410, 200],
     [210, 200], [210, 160], [200, 160], [200, 200], [0, 200]]
)  # fmt: skip
OPEN_PLAN = room([[0, 0], [410, 0], [410, 200], [0, 200]])


def words(a, b):
    return [Word(a, (70, 90, 60, 20), 0.99, 0), Word(b, (280, 90, 60, 20), 0.99, 0)]


def test_two_names_either_side_of_an_opened_wall_are_two_rooms():
    out = split_by_labels(
        [TWO_ROOMS], words("Kitchen", "Living"), neck_ratio=0.8, any_names=False,
        epsilon_factor=0.004,
    )  # fmt: skip
    assert out.split == 1 and [r.id for r in out.rooms] == ["room-001", "room-002"]
    left, right = sorted(out.rooms, key=lambda r: r.bbox[0])
    assert left.bbox[0] == pytest.approx(0, abs=1) and left.bbox[2] == pytest.approx(205, abs=6)
    assert left.area_px + right.area_px == pytest.approx(TWO_ROOMS.area_px, rel=0.03)
    assert {w.text: w.room for w in out.words} == {
        "Kitchen": out.rooms.index(left),
        "Living": out.rooms.index(right),
    }


@pytest.mark.parametrize("any_names", [False, True])
def test_open_plan_names_with_no_narrowing_stay_one_room(any_names):
    out = split_by_labels(
        [OPEN_PLAN], words("Kitchen", "Living"), neck_ratio=0.8, any_names=any_names,
        epsilon_factor=0.004,
    )  # fmt: skip
    assert out.split == 0 and out.rooms == [OPEN_PLAN]


def test_one_name_or_a_note_is_no_second_room():
    for ws in (
        words("Kitchen", "3.20 x 4.10"),
        words("Kitchen", "Qxzv"),
        words("Bath", "Bath")[:1],
    ):
        out = split_by_labels([TWO_ROOMS], ws, neck_ratio=0.8, any_names=True, epsilon_factor=0.004)
        assert out.split == 0


def test_a_drawn_plan_with_two_rooms_joined_by_a_wide_opening():
    # seed 3: "Bath" and "Hall" joined by a 2.8 m opening; the truth says two rooms
    plan = draw_plan(3, 1200, 900, wide_openings=1)
    split = OpenCVDetector(DetectorConfig(text_budget_ms=60_000)).detect_page(plan.image)
    joined = OpenCVDetector(DetectorConfig(text_budget_ms=60_000, split_neck_ratio=0)).detect_page(
        plan.image
    )
    assert len(joined.rooms) == plan.room_count - 1
    assert len(split.rooms) == plan.room_count
    assert compare_with_truth([r.polygon for r in split.rooms], plan.labels).matched == 4
    assert {"Bath", "Hall"} <= {r.label for r in split.rooms}
    ids = {r.id for r in split.rooms}
    assert all(w["room_id"] in ids for w in split.text if w["room_id"] is not None)
