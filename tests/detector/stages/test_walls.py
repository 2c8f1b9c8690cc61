"""`detector.stages.walls`: the wall thickness measured from the ink, and the thick strokes."""

from __future__ import annotations

import cv2
import numpy as np

from detector.stages import (
    estimate_wall_thickness,
    thick_strokes,
)
from detector_dev.synthetic import draw_two_rooms


def test_wall_thickness_is_measured_not_fixed():
    for t in (4, 8, 16):
        img, _ = draw_two_rooms(clutter=False, window=False)
        img = cv2.resize(img, None, fx=t / 8, fy=t / 8, interpolation=cv2.INTER_NEAREST)
        est = estimate_wall_thickness(img < 128)
        assert 0.6 * t <= est <= 1.3 * t


def test_thin_strokes_are_removed_thick_ones_kept():
    ink = np.zeros((60, 60), bool)
    ink[10:18, 5:55] = True  # an 8 px wall
    ink[30, 5:55] = True  # a 1 px dimension line
    ink[40:42, 5:55] = True  # a 2 px text stroke
    walls = thick_strokes(ink, min_width_px=3)
    assert walls[10:18, 10:50].all()
    assert not walls[25:60].any()


def test_thin_wall_measure_leaves_out_strokes_narrower_than_walls():
    ink = np.zeros((200, 200), bool)
    ink[20:32, 10:190] = True  # a 12 px wall
    for y in range(50, 190, 4):
        ink[y, 10:190] = True  # many 1 px lines: more ridge than the wall
    assert estimate_wall_thickness(ink, quantile=0.1) <= 2
    assert 10 <= estimate_wall_thickness(ink, quantile=0.1, min_width_px=3) <= 13
