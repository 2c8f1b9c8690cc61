"""`detector.stages.walls`: the wall thickness measured from the ink, the thick strokes, and
the bold lettering among them."""

from __future__ import annotations

import cv2
import numpy as np

from detector.opencv_detector import OpenCVDetector
from detector.stages import (
    estimate_wall_thickness,
    lettering,
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


def _put_bold(img, text, org, scale, stroke):
    """`text` on `img` in bold letters set 2 px apart (as a plan's font sets them)."""
    x, y = org
    for ch in text:
        cv2.putText(img, ch, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, stroke)
        (w, _), _ = cv2.getTextSize(ch, cv2.FONT_HERSHEY_SIMPLEX, scale, stroke)
        x += w + 2
    return img


def _bold_word(shape, text, org, scale=0.6, stroke=2):
    return _put_bold(np.full(shape, 255, np.uint8), text, org, scale, stroke) < 128


def test_bold_words_are_lettering_in_rows_and_columns():
    t = 4
    word = _bold_word((60, 200), "BEDROOM", (10, 40))
    assert 1.5 * t <= np.ptp(np.nonzero(word)[0]) <= 4 * t  # letters as tall as a few walls
    found = lettering(word, thickness_px=t)
    assert found[word].mean() > 0.95
    assert cv2.connectedComponents(word.view(np.uint8))[0] - 1 >= 7  # one blob a letter
    turned = np.ascontiguousarray(np.rot90(word))
    assert (lettering(turned, thickness_px=t) == np.rot90(found)).all()
    assert not lettering(word, thickness_px=t, min_letters=8).any()  # 7 letters


def test_walls_dashes_and_columns_are_not_lettering():
    t = 4
    walls = np.zeros((120, 300), bool)
    walls[10:14, 10:290] = True  # a wall
    walls[30:34, 10:30] = walls[30:34, 60:80] = True  # wall pieces between doors
    for x in range(10, 290, 16):
        walls[50:54, x : x + 12] = True  # a dashed wall: dashes as tall as thick
    for x in range(10, 290, 40):
        walls[70:80, x : x + 10] = True  # a row of columns, spaced wider than letters
    walls[95:101, 10:280] = True  # a thicker wall
    assert not lettering(walls, thickness_px=t).any()


def test_bold_room_names_do_not_split_their_rooms():
    # two thin-walled rooms, each name as thick as the walls and nearly as wide as its room:
    # as walls, the names cut each room in two at the necks between their ends and the walls
    (w, _), _ = cv2.getTextSize("B", cv2.FONT_HERSHEY_SIMPLEX, 0.6, 2)
    inner = 7 * (w + 2) - 2 + 2 * 16
    plan = np.full((200, 2 * inner + 60), 255, np.uint8)
    cv2.rectangle(plan, (20, 40), (32 + 2 * inner, 140), 0, 4)
    cv2.line(plan, (26 + inner, 40), (26 + inner, 140), 0, 4)
    cv2.line(plan, (20, 170), (32 + 2 * inner, 170), 0, 1)  # a dimension line: the pen
    plain = OpenCVDetector().detect_rooms(plan)
    named = plan.copy()
    for x in (38, 44 + inner):
        _put_bold(named, "BEDROOM", (x, 98), 0.6, 2)
    rooms = OpenCVDetector().detect_rooms(named)
    assert len(plain) == len(rooms) == 2
    for a, b in zip(rooms, plain, strict=True):
        assert abs(a.area_px - b.area_px) <= 0.02 * b.area_px
