"""`detector.stages.wall_ends`: free wall ends at any angle and the bridges between them."""

from __future__ import annotations

import cv2
import numpy as np

from detector.stages import (
    facing_end_bridges,
    wall_ends,
)
from detector.stages.wall_ends import _facing_partners


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


def _partners_of_every_pair(p, u, wd, max_gap_px, jamb_match, max_angle_deg):
    """The nearest facing end of each end, from every pair at once (N x N arrays)."""
    v = p[None, :, :] - p[:, None, :]
    dist = np.linalg.norm(v, axis=2)
    along = np.einsum("ijk,ik->ij", v, u)
    across = np.abs(v[:, :, 0] * u[:, None, 1] - v[:, :, 1] * u[:, None, 0])
    band = (wd[:, None] + wd[None, :]) / 2 + 1
    pair = (along > 0) & (along <= max_gap_px) & (across <= band)
    pair &= (u @ u.T) <= -np.cos(np.radians(max_angle_deg))
    pair &= (wd[:, None] <= jamb_match * wd[None, :]) & (wd[None, :] <= jamb_match * wd[:, None])
    pair &= pair.T
    dist = np.where(pair, dist, np.inf)
    best = np.argmin(dist, axis=1)
    return best, dist[np.arange(len(p)), best]


def _random_ends(n, size, seed):
    rng = np.random.default_rng(seed)
    p = rng.integers(0, size, (n, 2)).astype(np.float64)
    a = rng.choice([0, np.pi / 2, np.pi, 3 * np.pi / 2], n) + rng.normal(0, 0.2, n)
    return p, np.stack([np.cos(a), np.sin(a)], 1), rng.uniform(3, 9, n)


def test_facing_partners_are_those_of_every_pair():
    for seed in range(5):
        p, u, wd = _random_ends(400, 300, seed)
        best, gap = _facing_partners(p, u, wd, 40.0, 1.5, 30.0)
        want_best, want_gap = _partners_of_every_pair(p, u, wd, 40.0, 1.5, 30.0)
        np.testing.assert_array_equal(gap, want_gap)
        found = np.isfinite(want_gap)
        assert found.sum() > 20  # the test pairs something
        np.testing.assert_array_equal(best[found], want_best[found])


def test_facing_partners_of_many_ends_take_memory_in_proportion_to_them():
    # a page of bold lettering or hatching: 20 000 ends; every pair at once would be
    # several 20 000 x 20 000 arrays (3.2 GB each)
    import tracemalloc

    p, u, wd = _random_ends(20_000, 6000, 0)
    tracemalloc.start()
    _facing_partners(p, u, wd, 96.0, 1.5, 30.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200e6
