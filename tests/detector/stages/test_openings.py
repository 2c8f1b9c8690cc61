"""`detector.stages.openings`: doorways, windows and double doors closed along rows and columns."""

from __future__ import annotations

import cv2
import numpy as np

from detector.stages import (
    opening_bridges,
)


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
