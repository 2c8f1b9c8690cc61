"""The detector's stages, each isolated on small plans drawn here with exact truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector, trace_rooms
from detector.stages import (
    estimate_wall_thickness,
    facing_end_bridges,
    offset_polygon,
    opening_bridges,
    outlined_wall_fill,
    outside_mask,
    page_background,
    run_lengths,
    thick_strokes,
    to_grey8,
    wall_ends,
)
from detector_dev.scoring import match_rooms, rasterise_rooms
from detector_dev.synthetic import compare_with_truth, draw_plan, draw_two_rooms


def score(rooms, labels):
    return match_rooms(rasterise_rooms([r.polygon for r in rooms], labels.shape), labels)


@pytest.fixture(scope="module")
def detector() -> OpenCVDetector:
    return OpenCVDetector()


# --------------------------------------------------------------------------- the whole recipe


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


# --------------------------------------------------------------------------- odd inputs


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


def test_to_grey8_keeps_black_ink_and_lightens_coloured_fills():
    px = np.array([[[0, 0, 0], [90, 140, 180]]], np.uint8)  # black, a brown fill (BGR)
    grey = to_grey8(px)
    assert grey[0, 0] == 0 and grey[0, 1] == 180


# --------------------------------------------------------------------------- single stages


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


def test_bridges_close_doorways_but_not_rooms():
    walls = np.zeros((40, 200), bool)
    walls[10:16, 0:60] = True
    walls[10:16, 90:200] = True  # a 30 px doorway between two wall ends, 6 px thick
    no_lines = np.zeros_like(walls)
    kw = {"min_end_px": 3, "max_end_px": 15}
    br = opening_bridges(walls, no_lines, max_gap_px=36, max_lined_gap_px=150, **kw)
    assert br[10:16, 60:90].all() and br.sum() == 6 * 30
    # a gap wider than a door stays open unless lines span it (a window)
    br = opening_bridges(walls, no_lines, max_gap_px=20, max_lined_gap_px=150, **kw)
    assert not br.any()
    lines = np.zeros_like(walls)
    lines[10, :] = lines[15, :] = True
    br = opening_bridges(walls, lines, max_gap_px=20, max_lined_gap_px=150, **kw)
    assert br[10, 60:90].all() and br[15, 60:90].all()


def test_a_window_needs_glazing_lines_not_one_edge_continuing_a_wall():
    walls = np.zeros((100, 200), bool)
    walls[:, 190:196] = True  # a wall across the row's far end (its face, not an end)
    walls[40:46, 0:60] = True  # a wall end 130 px (~22 t) from that face
    edge = np.zeros_like(walls)
    edge[42, 60:190] = True  # one line continuing the wall: a worktop or bath edge
    kw = {"min_end_px": 3, "max_end_px": 15, "max_gap_px": 21, "max_lined_gap_px": 150}
    near = cv2.dilate(edge.view(np.uint8), np.ones((5, 5), np.uint8)) > 0
    br = opening_bridges(walls, near, window_lines=2, raw_lines=edge, **kw)
    assert not br.any()
    glazing = edge.copy()
    glazing[40, 60:190] = glazing[45, 60:190] = True  # the wall's faces drawn across: glass
    glazing[42] = False
    near = cv2.dilate(glazing.view(np.uint8), np.ones((5, 5), np.uint8)) > 0
    br = opening_bridges(walls, near, window_lines=2, raw_lines=glazing, **kw)
    assert br[40:46, 60:190].all()


def test_bridges_close_a_double_door_between_facing_ends_of_one_wall():
    walls = np.zeros((120, 200), bool)
    walls[10:16, 0:60] = True
    walls[10:16, 120:200] = True  # a 60 px (10 t) opening between two ends of one wall
    walls[60:66, 0:60] = True  # a wall end facing a thick pier 60 px away: not one wall
    walls[50:80, 120:150] = True
    kw = {"min_end_px": 3, "max_end_px": 15, "max_gap_px": 36, "max_lined_gap_px": 150}
    no_lines = np.zeros_like(walls)
    assert not opening_bridges(walls, no_lines, **kw).any()  # wider than a single door
    br = opening_bridges(walls, no_lines, max_facing_gap_px=72, jamb_match=1.5, **kw)
    assert br[10:16, 60:120].all() and br.sum() == 6 * 60
    # ends much thinner than each other are not one wall
    walls[10:13, 120:200] = False
    br = opening_bridges(walls, no_lines, max_facing_gap_px=72, jamb_match=1.5, **kw)
    assert not br.any()


def test_bridges_are_not_cast_from_a_wall_face():
    walls = np.zeros((100, 100), bool)
    walls[:, 10:16] = True  # two long vertical walls 30 px apart: a corridor
    walls[:, 46:52] = True
    walls[50, 16] = True  # a bump where a thin line met the wall: not an end
    br = opening_bridges(
        walls,
        np.zeros_like(walls),
        max_gap_px=36,
        max_lined_gap_px=150,
        min_end_px=3,
        max_end_px=15,
    )
    assert not br.any()


def test_bridges_are_not_cast_between_a_dimension_lines_arrowheads():
    walls = np.zeros((120, 120), bool)
    walls[0:6, :] = walls[114:120, :] = True  # two walls 108 px (18 t) apart
    walls[6:60, 0:6] = True  # and a wall end on the left, 54 px from the bottom wall
    for y in range(12):  # filled arrowheads, tips on the walls, bases facing each other
        half = y // 2
        walls[6 + y, 60 - half : 61 + half] = True
        walls[113 - y, 60 - half : 61 + half] = True
    kw = {"min_end_px": 3, "max_end_px": 15, "max_gap_px": 21, "max_lined_gap_px": 150}
    no_lines = np.zeros_like(walls)
    br = opening_bridges(walls, no_lines, max_facing_gap_px=200, jamb_match=1.5, **kw)
    assert not br[20:100, 40:80].any()  # the arrowheads narrow back: they are not jambs
    # a square wall end of the same size still faces the other
    walls[6:18, 55:66] = True
    walls[102:114, 55:66] = True
    br = opening_bridges(walls, no_lines, max_facing_gap_px=200, jamb_match=1.5, **kw)
    assert br[18:102, 55:66].all()


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


def _rooms(walls: np.ndarray) -> int:
    """Free regions (4-connected) of a walled box, the outside of the box not counted."""
    n, _ = cv2.connectedComponents((~walls).view(np.uint8), connectivity=4)
    return n - 1


def _box(h: int, w: int, t: int = 4) -> np.ndarray:
    walls = np.ones((h, w), bool)
    walls[t:-t, t:-t] = False
    return walls


END_KW = {"min_end_px": 2, "max_end_px": 10, "max_gap_px": 48, "jamb_match": 1.5}


def test_wall_ends_are_found_at_any_angle_but_not_at_corners():
    walls = np.zeros((200, 200), bool)
    walls[20:24, 20:120] = True  # an L: one corner, two free ends
    walls[20:120, 20:24] = True
    img = np.zeros((200, 200), np.uint8)
    cv2.line(img, (60, 180), (180, 60), 1, thickness=3)  # a diagonal wall: two ends
    walls |= img > 0
    ends = wall_ends(walls, reach_px=20, max_end_px=10)
    assert len(ends.tips) == 4
    # the diagonal's upper end points up and to the right
    i = int(np.argmin(ends.tips[:, 1] - ends.tips[:, 0]))
    assert np.allclose(ends.directions[i], [0.707, -0.707], atol=0.15)
    assert np.all((ends.widths >= 3) & (ends.widths <= 6))


def test_facing_ends_close_a_gap_in_a_diagonal_and_in_a_ragged_wall():
    walls = _box(200, 200)
    img = np.zeros((200, 200), np.uint8)
    cv2.line(img, (0, 0), (85, 85), 1, thickness=4)  # a diagonal wall with a 42 px gap
    cv2.line(img, (115, 115), (199, 199), 1, thickness=4)
    walls |= img > 0
    assert _rooms(walls) == 1
    br = facing_end_bridges(walls, **END_KW)
    assert _rooms(walls | br) == 2
    # a scanned wall, one pixel thick, its two ends a pixel apart across it: no row joins them
    walls = _box(100, 200)
    walls[50, :80] = True
    walls[51, 110:] = True
    assert _rooms(walls | facing_end_bridges(walls, **(END_KW | {"min_end_px": 1}))) == 2


def test_a_lone_end_closes_a_door_but_not_a_corridor_or_a_nook():
    # a partition from the left wall stops 46 px short of the right wall: a door between
    # two rooms wider and deeper than it
    walls = _box(160, 240)
    walls[78:82, :190] = True
    kw = END_KW | {"max_lone_gap_px": 48, "depth_ratio": 0.5}
    assert _rooms(walls | facing_end_bridges(walls, **kw)) == 2
    assert _rooms(walls | facing_end_bridges(walls, **(kw | {"max_lone_gap_px": 0}))) == 1
    # the same gap above a nook only as wide as itself is not a door
    nook = walls.copy()
    nook[90:, 190:194] = True
    assert _rooms(nook | facing_end_bridges(nook, **kw)) == 1
    # nor is a corridor as wide as the gap: a wall end pointing across it is not a door
    corridor = _box(240, 160)
    corridor[:, 100:104] = True
    corridor[:, 50:54] = True
    corridor[118:122, 54:70] = True  # a stub sticking into the corridor
    # (its ray meets the corridor's far wall 30 px away; the corridor is 46 px wide)
    assert _rooms(corridor | facing_end_bridges(corridor, **kw)) == _rooms(corridor)


def test_outlined_walls_are_filled_but_not_a_strokes_halo_or_a_grey_floor():
    grey = np.full((100, 200), 255, np.uint8)
    grey[20, 10:190] = grey[27, 10:190] = 0  # a wall drawn as two outlines...
    grey[20:28, 10] = grey[20:28, 189] = 0
    grey[21:27, 11:189] = 204  # ...filled with light grey
    grey[60, 10:190] = 0  # a stroke with a grey halo on both sides
    grey[59, 10:190] = grey[61, 10:190] = 200
    grey[70:95, 20:60] = 200  # a grey floor, outlined
    grey[70, 20:60] = grey[94, 20:60] = 0
    grey[70:95, 20] = grey[70:95, 59] = 0
    ink = grey < 128
    fill = outlined_wall_fill(grey, ink, np.zeros_like(ink), max_width_px=10, min_contrast=32)
    assert fill[21:27, 11:189].all()
    assert not fill[55:65].any() and not fill[70:95].any()


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


def test_page_background_finds_an_occupancy_maps_unknown_space():
    grey = np.full((100, 100), 205, np.uint8)  # unknown
    grey[20:80, 20:80] = 254  # free
    grey[20:80, 20:22] = 0  # a wall
    bg = page_background(grey, min_contrast=32, min_fraction=0.05)
    assert bg[0, 0] and bg[10, 50] and not bg[50, 50] and not bg[50, 20]
    assert not page_background(
        np.full((50, 50), 255, np.uint8), min_contrast=32, min_fraction=0.05
    ).any()


def test_a_dark_background_leaves_the_walls_drawn_out_of_it_to_the_ink():
    grey = np.zeros((200, 200), np.uint8)  # unknown space drawn black, like the walls
    grey[40:160, 40:160] = 255
    grey[40:160, 99:101] = 0  # a partition, joined to the black outside
    bg = page_background(grey, min_contrast=32, min_fraction=0.05)
    assert bg[0, 0] and bg[20, 100] and not bg[100, 100] and not bg[100, 50]


def test_trace_exposes_each_stage():
    img, _ = draw_two_rooms()
    tr = trace_rooms(img, DetectorConfig())
    assert 6 <= tr.thickness_px <= 10
    assert tr.walls is not None and tr.bridges is not None and tr.outside is not None
    # the doorway is closed from jamb to jamb (wall ends are rounded, so not every column)
    assert tr.bridges[130:170, 197:203].any(axis=1).all()
    assert tr.outside[0, 0] and not tr.outside[150, 120]
    assert len(tr.regions) == 2


def test_run_lengths_and_offset_polygon():
    m = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)
    assert run_lengths(m, axis=1).tolist() == [[2, 2, 0, 1], [0, 3, 3, 3]]
    assert run_lengths(m, axis=0).tolist() == [[1, 2, 0, 2], [0, 2, 1, 2]]
    sq = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], float)
    for poly in (sq, sq[::-1]):
        out = offset_polygon(poly, 0.5)
        assert out.min() == pytest.approx(-0.5) and out.max() == pytest.approx(10.5)


def test_thin_wall_measure_leaves_out_strokes_narrower_than_walls():
    ink = np.zeros((200, 200), bool)
    ink[20:32, 10:190] = True  # a 12 px wall
    for y in range(50, 190, 4):
        ink[y, 10:190] = True  # many 1 px lines: more ridge than the wall
    assert estimate_wall_thickness(ink, quantile=0.1) <= 2
    assert 10 <= estimate_wall_thickness(ink, quantile=0.1, min_width_px=3) <= 13


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
