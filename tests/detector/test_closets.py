"""Closets cut off their room along the thin lines that draw them."""

from __future__ import annotations

import cv2
import numpy as np

from detector.closets import FEATURES, closet_candidates, split_closets
from detector.config import DetectorConfig
from detector.opencv_detector import trace_rooms
from detector.room_types import Forest


def room_with_wardrobe() -> np.ndarray:
    """A 400 x 300 room, walls 12 px, a wardrobe box of thin lines in its bottom right
    corner (90 x 45 px) with two door arcs swinging into the room."""
    img = np.full((360, 460), 255, np.uint8)
    cv2.rectangle(img, (30, 30), (430, 330), 0, 12)
    x0, y0, x1, y1 = 330, 279, 424, 324
    cv2.line(img, (x0, y0), (x1, y0), 0, 1)  # the front
    cv2.line(img, (x0, y0), (x0, y1), 0, 1)  # the side
    for cx in (x0, x1):  # two leaves, hinged at the sides
        cv2.ellipse(
            img, (cx, y0), (45, 45), 0, 180 if cx == x0 else 270, 270 if cx == x0 else 360, 0, 1
        )
    return img


def votes_for_everything() -> Forest:
    tree = {"feature": [-1], "threshold": [0.0], "left": [-1], "right": [-1], "value": [[0.0, 1.0]]}
    return Forest.from_dict(
        {"classes": ["other", "room"], "features": list(FEATURES), "trees": [tree]}
    )


def test_the_wardrobe_is_a_candidate_piece():
    tr = trace_rooms(room_with_wardrobe(), DetectorConfig(closet_votes=1.01))
    assert len(tr.regions) == 1
    pieces = closet_candidates(
        tr.regions, walls=tr.walls, lines=tr.lines, thickness_px=tr.thickness_px
    )
    sizes = sorted(int(p.mask.sum()) for p in pieces)
    box = 90 * 45 * tr.scale**2  # (working pixels)
    assert any(0.7 * box <= a <= 1.1 * box for a in sizes), sizes
    assert all(np.isfinite(p.features).all() and len(p.features) == len(FEATURES) for p in pieces)


def test_the_wardrobe_front_is_measured():
    tr = trace_rooms(room_with_wardrobe(), DetectorConfig(closet_votes=1.01))
    pieces = closet_candidates(
        tr.regions, walls=tr.walls, lines=tr.lines, thickness_px=tr.thickness_px
    )
    box = 90 * 45 * tr.scale**2
    (wardrobe,) = [p for p in pieces if 0.7 * box <= p.mask.sum() <= 1.1 * box]
    f = dict(zip(FEATURES, wardrobe.features, strict=True))
    t = tr.thickness_px / tr.scale  # (page pixels)
    # its front and side face the room across their lines (the rest of its rim is on walls)
    assert 0.3 < f["front_rim"] < 0.7, f
    assert 90 / t * 0.8 <= f["front_length_t"] <= (90 + 45) / t * 1.1, f
    assert f["front_straights"] > 0, f  # the front line itself


def test_an_accepted_piece_becomes_a_room_and_leaves_its_room():
    tr = trace_rooms(room_with_wardrobe(), DetectorConfig(closet_votes=1.01))
    (room,) = tr.regions
    out = split_closets(
        tr.regions,
        walls=tr.walls,
        lines=tr.lines,
        outside=tr.outside,
        thickness_px=tr.thickness_px,
        model=votes_for_everything(),
    )
    areas = sorted(r.area_px for r in out)
    assert len(out) >= 2
    box = 90 * 45 * tr.scale**2
    wardrobe = [a for a in areas if 0.7 * box <= a <= 1.1 * box]
    assert wardrobe
    assert max(areas) < room.area_px - wardrobe[0]  # the room lost it (and the line between)


def test_closet_votes_switches_the_stage():
    # 0: every piece is taken (whatever the forest says); above 1: the stage is off
    assert len(trace_rooms(room_with_wardrobe(), DetectorConfig(closet_votes=0)).regions) >= 2
    assert len(trace_rooms(room_with_wardrobe(), DetectorConfig(closet_votes=1.01)).regions) == 1
