"""`detector.stages.regions`: the outside, room regions (terraces too) and their outlines."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector
from detector.stages import (
    offset_polygon,
    outside_mask,
)


def test_strip_between_building_and_page_edge_is_outside():
    walls = np.zeros((100, 120), bool)
    walls[6:94, 6:14] = walls[6:94, 106:114] = True  # a building 6 px from the page edge,
    walls[6:14, 6:114] = walls[86:94, 6:114] = True  # much less than the 32 px seal
    out = outside_mask(walls, seal_px=32)
    assert out[:6].all() and out[:, :6].all() and out[94:].all() and out[:, 114:].all()
    assert not out[14:86, 14:106].any()  # the room inside stays inside
    # and so the strip is never a room
    img = np.full((100, 120), 255, np.uint8)
    img[walls] = 0
    rooms = OpenCVDetector().detect_rooms(img)
    assert len(rooms) == 1 and rooms[0].bbox[0] > 10


def test_terrace_fenced_by_lines_is_a_room_but_a_framed_label_is_not():
    img = np.full((360, 400), 255, np.uint8)
    img[40:200, 60:340] = 0
    img[48:192, 68:332] = 255  # a room with 8 px walls
    cv2.rectangle(img, (60, 199), (339, 279), 0, 1)  # a terrace outlined by a thin line
    cv2.rectangle(img, (120, 310), (280, 345), 0, 1)  # a framed label, not attached
    cv2.putText(img, "TERRACE", (150, 335), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
    rooms = OpenCVDetector().detect_rooms(img)
    assert len(rooms) == 2
    terrace = max(rooms, key=lambda r: r.bbox[1])
    x, y, w, h = terrace.bbox
    assert abs(x - 60) <= 3 and abs(w - 280) <= 4 and abs(y - 200) <= 3 and abs(h - 80) <= 4
    off = OpenCVDetector(DetectorConfig(terrace_wall_contact=1.0)).detect_rooms(img)
    assert len(off) == 1 and off[0].bbox[1] < 60


def test_offset_polygon_moves_edges_out_in_either_winding():
    sq = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    for poly in (sq, sq[::-1]):
        out = offset_polygon(poly, 0.5)
        assert out.min() == pytest.approx(-0.5) and out.max() == pytest.approx(10.5)
