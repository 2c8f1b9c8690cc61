"""The page scale: a median over rooms, outliers named, confidence from agreement."""

from __future__ import annotations

import pytest

from detector.text.scale import NO_SCALE, RoomSides, scale_from_dimensions, scale_from_stated


def sides(rid, w_px, h_px, w_m, h_m, fill=1.0):
    return RoomSides(rid, (w_px, h_px), (w_m, h_m), fill)


def test_median_of_rooms_with_an_outlier():
    rooms = [
        sides("a", 300, 200, 3.0, 2.0),
        sides("b", 402, 250, 4.0, 2.5),
        sides("c", 198, 99, 2.0, 1.0),
        sides("d", 300, 200, 6.0, 4.0),  # misread, or two rooms as one: half the scale
    ]
    s = scale_from_dimensions(rooms)
    assert s.method == "dimensions"
    assert s.px_per_m == pytest.approx(100, rel=0.01)
    assert s.outliers == ("d",)
    assert s.samples == 4
    assert s.confidence == pytest.approx(0.75)


def test_orientation_does_not_matter():
    s = scale_from_dimensions([sides("a", 200, 300, 3.0, 2.0)])
    assert s.px_per_m == pytest.approx(100)


def test_one_room_is_little_confidence():
    s = scale_from_dimensions([sides("a", 300, 200, 3.0, 2.0)])
    assert s.known and s.confidence < 0.5


def test_sides_that_disagree_measure_nothing():
    # a 3 x 2 m room measured 300 x 100 px: not the rectangle its text describes
    s = scale_from_dimensions([sides("a", 300, 100, 3.0, 2.0)])
    assert s == NO_SCALE


def test_two_rooms_that_disagree_give_no_scale_not_nan():
    # the median of two ratios far apart lies between them, near neither: no inlier at all
    s = scale_from_dimensions([sides("a", 300, 200, 3.0, 2.0), sides("b", 300, 200, 6.0, 4.0)])
    assert (s.px_per_m, s.method, s.confidence) == (None, "none", 0.0)
    assert s.outliers == ("a", "b") and s.samples == 2
    assert not s.known


def test_stated_scale_on_a_pdf_page():
    # a page rendered at 150 dpi: 150/72 px per point; 1:100 -> 150 / 0.0254 / 100 px per m
    s = scale_from_stated(100, 150 / 72, "1:100")
    assert s.method == "stated_scale"
    assert s.px_per_m == pytest.approx(150 / 0.0254 / 100)


def test_a_room_covers_half_a_pixel_beyond_its_polygon():
    # a 150 x 100 px block of pixels: its contour runs through the boundary pixels' centres,
    # 149 x 99 px, 1.7 % short of the pixels it stands for
    import cv2
    import numpy as np

    from detector.text.scale import covered_area_px, covered_sides_px

    mask = np.zeros((200, 300), np.uint8)
    mask[40:140, 60:210] = 1
    (contour,), _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    area, perimeter = cv2.contourArea(contour), cv2.arcLength(contour, True)
    assert area == 149 * 99
    assert covered_area_px(area, perimeter) == mask.sum() == 150 * 100
    (_, _), (w, h), _ = cv2.minAreaRect(contour.astype(np.float32))
    assert sorted(covered_sides_px((w, h))) == [100, 150]


def test_the_floor_reaches_the_walls_ink():
    # a room 150 x 100 px inside walls of ink, traced a pixel short of its walls (a working
    # grid's rounding): its floor is measured to the ink
    import numpy as np

    from detector.text.scale import floor_of

    ink = np.ones((200, 300), bool)
    ink[40:140, 60:210] = False
    short = [[61, 41], [208, 41], [208, 138], [61, 138]]  # boundary pixels' centres, 1 px in
    floor = floor_of(short, [61, 41, 147, 97], ink)
    assert floor.area_px == 150 * 100
    assert sorted(floor.sides_px) == [100, 150]
    assert floor.fill == pytest.approx(1.0)
