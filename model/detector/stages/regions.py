"""Rooms from the free space: the outside, doorway necks, room regions and their outlines."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ._checks import require_mask
from .morphology import close_by_distance


def outside_mask(
    barriers: np.ndarray, lines: np.ndarray | None = None, *, seal_px: float
) -> np.ndarray:
    """The building's outside: free space reachable from the page border.

    Before flooding, the barriers are closed with a disk `seal_px` wide, which seals small
    gaps in the outer wall that the doorway stage left open; the flood may not cross drawn
    `lines` either (windows, bays, glazed walls), but those are not closed: closing text
    and symbols would wall in the space around them. The page is free beyond its edge (a
    margin as wide as the seal is added before closing), so a strip between the building
    and the page edge narrower than the seal is outside, not closed into a room.

    Parameters
    ----------
    barriers : (H, W) bool ndarray
        Walls, bridges and the page background.
    lines : (H, W) bool ndarray, optional
        Drawn lines the flood may not cross.
    seal_px : float
        Width in px of the gaps in the outer wall that are sealed before flooding.

    Returns
    -------
    outside : (H, W) bool ndarray
        True on the outside, 4-connected to the page border.
    """
    require_mask(barriers, "barriers")
    if lines is not None:
        require_mask(lines, "lines")
    m = int(np.ceil(seal_px / 2)) + 1
    padded = cv2.copyMakeBorder(barriers.view(np.uint8), m, m, m, m, cv2.BORDER_CONSTANT, value=0)
    closed = close_by_distance(padded > 0, radius_px=seal_px / 2)[m:-m, m:-m]
    if lines is not None:
        closed |= lines
    free = (~closed).view(np.uint8)
    n, lab = cv2.connectedComponents(free, connectivity=4)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    is_out = np.zeros(n, bool)
    is_out[border] = True
    is_out[0] = False
    return is_out[lab]


def doorway_necks(free: np.ndarray, *, neck_px: float, max_area_px: float) -> np.ndarray:
    """Narrow passages of the free space that join two rooms: doorways the bridges missed
    (diagonal walls, double doors, doors beside thin partitions).

    Idea: the bodies of rooms are where a disk `neck_px` wide fits (a morphological opening,
    computed with two distance transforms). What the disk cannot reach is the rest: corners,
    narrow rooms, corridors and the necks between bodies. A rest part that touches two or
    more bodies and is smaller than `max_area_px` is a neck; a bigger one is a corridor.

    Parameters
    ----------
    free : (H, W) bool ndarray
        The free space inside the building.
    neck_px : float
        Widest neck, in px: the diameter of the disk that fits in a room's body.
    max_area_px : float
        Biggest neck, in px of area; a bigger part is a corridor.

    Returns
    -------
    necks : (H, W) bool ndarray
        The necks, to be taken out of the free space.
    """
    require_mask(free, "free")
    r = neck_px / 2.0
    free8 = free.view(np.uint8)
    cores = cv2.distanceTransform(free8, cv2.DIST_L2, 5) > r
    if not cores.any():
        return np.zeros_like(free)
    reach = cv2.distanceTransform((~cores).view(np.uint8), cv2.DIST_L2, 5) <= r
    bodies = reach & free
    _, blab = cv2.connectedComponents(bodies.view(np.uint8), connectivity=4)
    rest = free & ~bodies
    nr, rlab, rstats, _ = cv2.connectedComponentsWithStats(rest.view(np.uint8), connectivity=4)
    k3 = np.ones((3, 3), np.uint8)
    big = np.float32(2**24)
    fl = blab.astype(np.float32)
    hi = cv2.dilate(fl, k3)
    lo = cv2.erode(np.where(blab > 0, fl, big), k3)
    ys, xs = np.nonzero(rest & (hi > 0))
    comp = rlab[ys, xs]
    cmin = np.full(nr, big, np.float32)
    cmax = np.zeros(nr, np.float32)
    np.minimum.at(cmin, comp, lo[ys, xs])
    np.maximum.at(cmax, comp, hi[ys, xs])
    neck = (cmax > 0) & (cmin < big) & (cmin != cmax)
    neck &= rstats[:, cv2.CC_STAT_AREA] <= max_area_px
    neck[0] = False
    return neck[rlab]


@dataclass(frozen=True)
class Region:
    """One room at working resolution: its contour (N x 2 float, pixel centres) and stats."""

    contour: np.ndarray
    area_px: float
    wall_contact: float
    outside_contact: float

    def crop_mask(self, shape: tuple[int, int], margin: int) -> tuple[tuple[int, int], np.ndarray]:
        """The filled contour cropped to its box and `margin` px more, within an image of
        `shape`: ((x, y) of the crop, uint8 mask)."""
        c = np.round(self.contour).astype(np.int32)
        h, w = shape
        x0, y0 = np.maximum(c.min(0) - margin, 0)
        x1, y1 = np.minimum(c.max(0) + margin + 1, [w, h])
        m = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(m, [c - [x0, y0]], 1)
        return (int(x0), int(y0)), m


def room_regions(
    free: np.ndarray,
    walls: np.ndarray,
    outside: np.ndarray,
    *,
    min_area_px: float,
    max_area_px: float,
    max_outside_contact: float,
    min_width_px: float,
    lines: np.ndarray | None = None,
    min_terrace_wall_contact: float = 1.0,
    min_terrace_area_px: float = 0.0,
    terrace_fence_px: float = 0.0,
) -> list[Region]:
    """4-connected components of the free inside, with their outer contours.

    `wall_contact` is the fraction of a room's rim pixels next to a drawn wall (not a
    bridge or the outside): how closed by real walls it is. A component with more than
    `max_outside_contact` of its rim on the outside is a notch of the outside that the
    sealing cut off (e.g. at a concave corner of the building), not a room. A component
    that cannot hold a disk `min_width_px` wide is a slot (between a window's lines, inside
    a wall's outline), not a room.

    Terraces and balconies: the outside flood stops at drawn `lines`, so a region fenced off
    from the outside by an outline or a parapet reaches the outside through those lines. It
    is a room when, not counting its rim on lines, it is within `max_outside_contact`, and it
    is attached to the building (at least `min_terrace_wall_contact` of its rim on walls) and
    at least `min_terrace_area_px` big; text and symbols drawn outside are neither. Its
    outline (line pixels within `terrace_fence_px` of the outside) is the fence, not floor:
    the terrace's contour is traced inside it.

    Parameters
    ----------
    free : (H, W) bool ndarray
        The free space inside the building.
    walls : (H, W) bool ndarray
        The drawn walls (without bridges).
    outside : (H, W) bool ndarray
        The outside (`outside_mask`).
    min_area_px, max_area_px : float
        Smallest and biggest room, in px of area.
    max_outside_contact : float
        Largest share of a room's rim, in [0, 1], on the outside.
    min_width_px : float
        Narrowest room, in px: the diameter of a disk it must hold.
    lines : (H, W) bool ndarray, optional
        Drawn lines (terrace fences); without them there are no terraces.
    min_terrace_wall_contact : float
        Share of a terrace's rim, in [0, 1], on walls.
    min_terrace_area_px : float
        Smallest terrace, in px of area.
    terrace_fence_px : float
        Line pixels this close to the outside, in px, are a terrace's fence.

    Returns
    -------
    regions : list of Region
        One per room, contours in working-resolution pixel centres.
    """
    require_mask(free, "free")
    require_mask(walls, "walls")
    require_mask(outside, "outside")
    if lines is not None:
        require_mask(lines, "lines")
    n, lab, stats, _ = cv2.connectedComponentsWithStats(free.view(np.uint8), connectivity=4)
    width = 2.0 * cv2.distanceTransform(free.view(np.uint8), cv2.DIST_L2, 3)
    k3 = np.ones((3, 3), np.uint8)
    near_wall = cv2.dilate(walls.view(np.uint8), k3) > 0
    near_out = cv2.dilate(outside.view(np.uint8), k3) > 0
    fence = None  # a terrace's outline, computed for the first terrace
    out = []
    for i in range(1, n):
        area = float(stats[i, cv2.CC_STAT_AREA])
        if not (min_area_px <= area <= max_area_px):
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        m = (lab[y : y + h, x : x + w] == i).astype(np.uint8)
        if width[y : y + h, x : x + w][m > 0].max() < min_width_px:
            continue
        cs, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        c = max(cs, key=cv2.contourArea).reshape(-1, 2)
        ry, rx = c[:, 1] + y, c[:, 0] + x
        out_contact = float(near_out[ry, rx].mean())
        wall_contact = float(near_wall[ry, rx].mean())
        if out_contact > max_outside_contact:
            terrace = (
                lines is not None
                and wall_contact >= min_terrace_wall_contact
                and area >= min_terrace_area_px
            )
            if not terrace:
                continue
            out_contact = float((near_out[ry, rx] & ~lines[ry, rx]).mean())
            if out_contact > max_outside_contact:
                continue
            if fence is None:
                dist = cv2.distanceTransform((~outside).view(np.uint8), cv2.DIST_L2, 3)
                fence = lines & (dist <= terrace_fence_px)
            inner = m & ~fence[y : y + h, x : x + w]
            cs, _ = cv2.findContours(inner.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            if cs:
                c = max(cs, key=cv2.contourArea).reshape(-1, 2)
        out.append(Region(c.astype(np.float64) + np.array([x, y]), area, wall_contact, out_contact))
    return out


def offset_polygon(poly: np.ndarray, distance: float) -> np.ndarray:
    """`poly` moved `distance` outward along its edges' normals (mitred corners).

    Parameters
    ----------
    poly : (N, 2) ndarray
        The polygon's vertices, x y, in either winding.
    distance : float
        Offset in px; negative moves inward.

    Returns
    -------
    moved : (N, 2) float64 ndarray
        The offset polygon (`poly` itself when `distance` is 0 or N < 3).
    """
    if distance == 0 or len(poly) < 3:
        return poly
    p = poly.astype(np.float64)
    area2 = np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1])
    sign = 1.0 if area2 > 0 else -1.0  # image coords: positive area = clockwise on screen
    e_next = np.roll(p, -1, axis=0) - p
    e_prev = p - np.roll(p, 1, axis=0)

    def normal(e: np.ndarray) -> np.ndarray:
        n = np.stack([e[:, 1], -e[:, 0]], axis=1) * sign
        return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)

    n1, n2 = normal(e_prev), normal(e_next)
    miter = n1 + n2
    cos = np.maximum(1.0 + np.sum(n1 * n2, axis=1, keepdims=True), 0.5)
    return p + distance * miter / cos
