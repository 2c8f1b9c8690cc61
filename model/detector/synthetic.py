"""Seeded floor plans with exact ground truth, for tests, demos and benchmarks.

`draw_plan(seed, width, height)` draws a plan the way architects do (black walls on white
paper) and returns the exact rooms it drew. The building is a rectangle or an L, split
recursively into rooms; exterior walls are thicker than interior ones and interior walls come in
several thicknesses. Doors are gaps with thin leaves and swing arcs (or open doorways), windows
are thin parallel lines across gaps in exterior walls, and the clutter real plans carry is there
too: room names, dimension lines with ticks, furniture, a compass, a title block, scan noise.

Every length is in metres of the drawn building and converted through one scale
(`px_per_m`), so a 600 px plan and a 6000 px plan are the same drawing at two resolutions.

Truth: a room is the inside of its walls (the area between the wall faces). Wall bands are
never room, including the band across a doorway, so two rooms joined by an open door are two
rooms, as in the R3D annotations.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

ROOM_NAMES = (
    "Bedroom",
    "Kitchen",
    "Living Room",
    "Bath",
    "Study",
    "Dining",
    "Hall",
    "WC",
    "Utility",
    "Store",
    "Reception",
    "Office",
)

# Sizes in metres of the drawn building (converted once, through px_per_m).
EXTERIOR_WALL_M = (0.28, 0.40)
INTERIOR_WALL_M = (0.10, 0.15, 0.20)
DOOR_M = (0.75, 0.95)
DOUBLE_DOOR_M = (1.2, 1.6)
WINDOW_M = (0.9, 2.0)
MIN_ROOM_SIDE_M = 1.9
THIN_LINE_M = 0.025


@dataclass(frozen=True)
class _Rect:
    """Room rectangle on wall centre lines, integer pixels, half-open: [x0, x1) x [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class _Wall:
    """An interior wall on a split line: axis 'v' (x = pos) or 'h' (y = pos), from lo to hi."""

    axis: str
    pos: int
    lo: int
    hi: int
    thickness: int


@dataclass(frozen=True)
class DrawnPlan:
    """A drawn plan and its exact truth.

    `image`: HxW uint8, white paper (255) and black ink. `labels`: HxW int32, 0 where there is
    no room (walls, outside, doorway bands), k for the k-th room (1-based, ordered top-left
    first). `walls`: HxW bool, the wall bands as drawn before doors and windows were cut.
    """

    image: np.ndarray
    labels: np.ndarray
    walls: np.ndarray
    seed: int
    px_per_m: float
    exterior_wall_px: int
    interior_wall_px: tuple[int, ...]
    door_px: tuple[int, ...] = field(default_factory=tuple)
    room_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def room_count(self) -> int:
        return int(self.labels.max())

    def room_masks(self) -> list[np.ndarray]:
        """One HxW bool mask per drawn room, in label order."""
        return [self.labels == k for k in range(1, self.room_count + 1)]


def _split(
    rect: _Rect,
    rng: np.random.Generator,
    *,
    min_side: int,
    target_area: float,
    thicknesses: list[int],
    walls: list[_Wall],
    depth: int = 0,
) -> list[_Rect]:
    """Recursive binary split of `rect` into rooms; records each split line as a wall."""
    can_v = rect.w >= 2 * min_side
    can_h = rect.h >= 2 * min_side
    area = rect.w * rect.h
    stop = area < target_area * rng.uniform(0.7, 1.6) or depth > 8
    if stop or not (can_v or can_h):
        return [rect]
    # both possible: split across the long side more often
    vertical = rng.random() < rect.w / (rect.w + rect.h) if can_v and can_h else can_v
    t = int(rng.choice(thicknesses))
    if vertical:
        pos = int(rng.integers(rect.x0 + min_side, rect.x1 - min_side + 1))
        walls.append(_Wall("v", pos, rect.y0, rect.y1, t))
        parts = [_Rect(rect.x0, rect.y0, pos, rect.y1), _Rect(pos, rect.y0, rect.x1, rect.y1)]
    else:
        pos = int(rng.integers(rect.y0 + min_side, rect.y1 - min_side + 1))
        walls.append(_Wall("h", pos, rect.x0, rect.x1, t))
        parts = [_Rect(rect.x0, rect.y0, rect.x1, pos), _Rect(rect.x0, pos, rect.x1, rect.y1)]
    out: list[_Rect] = []
    for p in parts:
        out += _split(
            p,
            rng,
            min_side=min_side,
            target_area=target_area,
            thicknesses=thicknesses,
            walls=walls,
            depth=depth + 1,
        )
    return out


def _shared_edges(rooms: list[_Rect]) -> list[tuple[int, int, str, int, int, int]]:
    """(i, j, axis, pos, lo, hi) for every pair of rooms that share a stretch of wall line."""
    out = []
    for i, a in enumerate(rooms):
        for j in range(i + 1, len(rooms)):
            b = rooms[j]
            if a.x1 == b.x0 or b.x1 == a.x0:
                lo, hi = max(a.y0, b.y0), min(a.y1, b.y1)
                if hi > lo:
                    out.append((i, j, "v", a.x1 if a.x1 == b.x0 else a.x0, lo, hi))
            if a.y1 == b.y0 or b.y1 == a.y0:
                lo, hi = max(a.x0, b.x0), min(a.x1, b.x1)
                if hi > lo:
                    out.append((i, j, "h", a.y1 if a.y1 == b.y0 else a.y0, lo, hi))
    return out


def _exterior_runs(rect: _Rect, inside: np.ndarray) -> list[tuple[str, int, int, int, int]]:
    """(axis, pos, lo, hi, outward sign) for stretches of a room's edges on the building edge."""
    h, w = inside.shape
    runs = []
    edges = [
        ("h", rect.y0, rect.x0, rect.x1, -1),
        ("h", rect.y1, rect.x0, rect.x1, +1),
        ("v", rect.x0, rect.y0, rect.y1, -1),
        ("v", rect.x1, rect.y0, rect.y1, +1),
    ]
    for axis, pos, lo, hi, sign in edges:
        probe = pos - 1 if sign < 0 else pos + 1
        if axis == "h":
            line = inside[min(max(probe, 0), h - 1), lo:hi] if 0 <= probe < h else None
        else:
            line = inside[lo:hi, min(max(probe, 0), w - 1)] if 0 <= probe < w else None
        outside = np.ones(hi - lo, bool) if line is None else ~line
        # contiguous runs of `outside`
        idx = np.flatnonzero(np.diff(np.r_[0, outside.astype(np.int8), 0]))
        for s, e in zip(idx[::2], idx[1::2], strict=True):
            runs.append((axis, pos, lo + int(s), lo + int(e), sign))
    return runs


def _band(axis: str, pos: int, lo: int, hi: int, t: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1), half-open, of a wall of thickness t centred on a line."""
    a, b = pos - t // 2, pos - t // 2 + t
    return (a, lo, b, hi) if axis == "v" else (lo, a, hi, b)


def _fill(img: np.ndarray, box: tuple[int, int, int, int], value: int | bool) -> None:
    x0, y0, x1, y1 = box
    img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = value


def _put_text_fit(
    img: np.ndarray,
    text: str,
    center: tuple[float, float],
    height_px: float,
    max_width_px: float,
    thickness: int,
    color: int = 0,
) -> None:
    """Draw `text` centred, with a cap height of about `height_px`, shrunk to fit the width."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, thickness)
    scale = height_px / max(th, 1)
    if tw * scale > max_width_px:
        scale = max_width_px / max(tw, 1)
    if scale * th < 4:  # unreadable: real plans omit it too
        return
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    org = (int(center[0] - tw / 2), int(center[1] + th / 2))
    cv2.putText(img, text, org, font, scale, color, thickness, cv2.LINE_AA)


def _door_leaf(
    img: np.ndarray, axis: str, face: int, hinge: int, tip: int, side: int, thin: int
) -> None:
    """A door leaf standing open at 90 degrees and its swing arc, drawn thin.

    The leaf is hinged at `hinge` (a coordinate along the wall, on the wall face at `face`)
    and closes towards `tip`; it opens to `side` (+1 / -1 across the wall).
    """
    d = abs(tip - hinge)
    if axis == "v":
        center, leaf_end = (face, hinge), (face + side * d, hinge)
        ang_leaf, ang_jamb = (0 if side > 0 else 180), (90 if tip > hinge else 270)
    else:
        center, leaf_end = (hinge, face), (hinge, face + side * d)
        ang_leaf, ang_jamb = (90 if side > 0 else 270), (0 if tip > hinge else 180)
    cv2.line(img, center, leaf_end, 0, thin, cv2.LINE_AA)
    a0, a1 = sorted((ang_leaf, ang_jamb))
    if a1 - a0 > 180:
        a0, a1 = a1, a0 + 360
    cv2.ellipse(img, center, (d, d), 0, a0, a1, 0, thin, cv2.LINE_AA)


def _stairs(
    img: np.ndarray,
    rng: np.random.Generator,
    box: tuple[int, int, int, int],
    tread: int,
    thin: int,
) -> None:
    """A flight of stairs inside `box`: an outline, one thin line per tread, a walking line."""
    x0, y0, x1, y1 = box
    w = int(min(x1 - x0, tread * int(rng.integers(8, 15))))
    h = int(min(y1 - y0, rng.uniform(0.9, 1.2) * tread / 0.28))
    vertical = rng.random() < 0.5
    if vertical:
        w, h = h, w
        w, h = min(w, x1 - x0), min(h, y1 - y0)
    fx = int(rng.integers(x0, x1 - w + 1))
    fy = int(rng.integers(y0, y1 - h + 1))
    cv2.rectangle(img, (fx, fy), (fx + w, fy + h), 0, thin, cv2.LINE_AA)
    if vertical:
        for y in range(fy + tread, fy + h, tread):
            cv2.line(img, (fx, y), (fx + w, y), 0, thin)
        cv2.arrowedLine(
            img,
            (fx + w // 2, fy + h - tread // 2),
            (fx + w // 2, fy + tread // 2),
            0,
            thin,
            cv2.LINE_AA,
            tipLength=0.05,
        )
    else:
        for x in range(fx + tread, fx + w, tread):
            cv2.line(img, (x, fy), (x, fy + h), 0, thin)
        cv2.arrowedLine(
            img,
            (fx + tread // 2, fy + h // 2),
            (fx + w - tread // 2, fy + h // 2),
            0,
            thin,
            cv2.LINE_AA,
            tipLength=0.05,
        )


Box = tuple[int, int, int, int]  # x0, y0, x1, y1, half-open


def _band_across(wall: np.ndarray, axis: str, pos: int, along: int) -> tuple[int, int]:
    """The wall band's extent across a wall line at one point: [a, b) in x (axis 'v') or y."""
    line = wall[along, :] if axis == "v" else wall[:, along]
    a = b = pos
    while a > 0 and line[a - 1]:
        a -= 1
    while b < len(line) and line[b]:
        b += 1
    return a, b


def _swing_box(axis: str, pos: int, lo: int, hi: int, t: int, d: int) -> Box:
    """The doorway plus a door's swing on either side of the wall: kept free of furniture."""
    x0, y0, x1, y1 = _band(axis, pos, lo, hi, t)
    return (x0 - d, y0, x1 + d, y1) if axis == "v" else (x0, y0 - d, x1, y1 + d)


def _free_box(labels: np.ndarray, r: _Rect, k: int) -> Box:
    """Bounding box of room k's free floor (inside its wall faces)."""
    sub = labels[r.y0 : r.y1, r.x0 : r.x1] == k
    rows, cols = np.flatnonzero(sub.any(1)), np.flatnonzero(sub.any(0))
    return (
        r.x0 + int(cols[0]),
        r.y0 + int(rows[0]),
        r.x0 + int(cols[-1]) + 1,
        r.y0 + int(rows[-1]) + 1,
    )


def _overlaps(a: Box, b: Box, margin: int = 0) -> bool:
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def _place_furniture(
    img: np.ndarray,
    rng: np.random.Generator,
    inner: Box,
    keepout: list[Box],
    placed: list[Box],
    px: Callable[[float], int],
    thin: int,
) -> None:
    """Draw one piece of furniture in a room's free box, if a free spot is found.

    Beds, counters and baths stand against a wall (closing small outlined areas against it,
    as real plans do); tables and stairs stand free.
    """
    ix0, iy0, ix1, iy1 = inner
    iw, ih = ix1 - ix0, iy1 - iy0
    kind = str(
        rng.choice(
            ["bed", "counter", "bath", "table", "round", "stairs"],
            p=[0.2, 0.25, 0.1, 0.2, 0.15, 0.1],
        )
    )
    sizes_m = {
        "bed": (1.4, 2.0),
        "counter": (2.4, 0.6),
        "bath": (1.7, 0.75),
        "table": (1.4, 1.7),
        "round": (1.0, 1.0),
        "stairs": (2.8, 1.0),
    }
    along_m, depth_m = sizes_m[kind]
    along, depth = px(along_m * rng.uniform(0.8, 1.2)), px(depth_m * rng.uniform(0.9, 1.1))
    for _ in range(8):
        side = int(rng.integers(4))  # the wall it stands against: top, bottom, left, right
        horizontal = side < 2
        w, h = (along, depth) if horizontal else (depth, along)
        if w > 0.9 * iw or h > 0.9 * ih:
            continue
        if kind in ("bed", "counter", "bath"):
            if horizontal:
                x = int(rng.integers(ix0, ix1 - w + 1))
                y = iy0 if side == 0 else iy1 - h
            else:
                y = int(rng.integers(iy0, iy1 - h + 1))
                x = ix0 if side == 2 else ix1 - w
        else:  # free-standing, off the walls
            m = px(0.4)
            if w + 2 * m > iw or h + 2 * m > ih:
                continue
            x = int(rng.integers(ix0 + m, ix1 - w - m + 1))
            y = int(rng.integers(iy0 + m, iy1 - h - m + 1))
        box = (x, y, x + w, y + h)
        if any(_overlaps(box, k, 1) for k in keepout) or any(
            _overlaps(box, b, px(0.2)) for b in placed
        ):
            continue
        placed.append(box)
        _draw_furniture(img, rng, kind, box, side, px, thin)
        return


def _draw_furniture(
    img: np.ndarray,
    rng: np.random.Generator,
    kind: str,
    box: Box,
    side: int,
    px: Callable[[float], int],
    thin: int,
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    aa = cv2.LINE_AA
    if kind == "round":
        r = min(w, h) // 2
        cv2.circle(img, (x0 + w // 2, y0 + h // 2), r, 0, thin, aa)
        return
    if kind == "stairs":
        _stairs(img, rng, box, px(0.28), thin)
        return
    if kind == "table":  # the box holds the table and its chairs on the long sides
        c = px(0.4)
        if w >= h:
            cv2.rectangle(img, (x0, y0 + c), (x1 - 1, y1 - 1 - c), 0, thin, aa)
            for cx in (x0 + w // 4, x0 + 3 * w // 4):
                cv2.rectangle(img, (cx - c // 2, y0), (cx + c // 2, y0 + c - 2), 0, thin, aa)
                cv2.rectangle(img, (cx - c // 2, y1 - c + 1), (cx + c // 2, y1 - 1), 0, thin, aa)
        else:
            cv2.rectangle(img, (x0 + c, y0), (x1 - 1 - c, y1 - 1), 0, thin, aa)
            for cy in (y0 + h // 4, y0 + 3 * h // 4):
                cv2.rectangle(img, (x0, cy - c // 2), (x0 + c - 2, cy + c // 2), 0, thin, aa)
                cv2.rectangle(img, (x1 - c + 1, cy - c // 2), (x1 - 1, cy + c // 2), 0, thin, aa)
        return
    cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), 0, thin, aa)
    if kind == "bed":  # pillows at the wall end
        p = px(0.45)
        if side == 0:
            cv2.line(img, (x0, y0 + p), (x1, y0 + p), 0, thin, aa)
        elif side == 1:
            cv2.line(img, (x0, y1 - p), (x1, y1 - p), 0, thin, aa)
        elif side == 2:
            cv2.line(img, (x0 + p, y0), (x0 + p, y1), 0, thin, aa)
        else:
            cv2.line(img, (x1 - p, y0), (x1 - p, y1), 0, thin, aa)
    elif kind == "bath":  # the tub inside the rim
        m = px(0.1)
        cv2.rectangle(img, (x0 + m, y0 + m), (x1 - m, y1 - m), 0, thin, aa)
        cv2.circle(img, (x0 + w // 2, y0 + h // 2), max(1, px(0.04)), 0, thin, aa)
    elif kind == "counter":  # a sink or a hob somewhere along it
        c = (x0 + int(rng.uniform(0.25, 0.75) * w), y0 + int(rng.uniform(0.25, 0.75) * h))
        r = max(2, px(0.18))
        if rng.random() < 0.5:
            cv2.rectangle(img, (c[0] - r, c[1] - r), (c[0] + r, c[1] + r), 0, thin, aa)
        else:
            for dx in (-r // 2, r // 2):
                for dy in (-r // 2, r // 2):
                    cv2.circle(img, (c[0] + dx, c[1] + dy), max(1, r // 3), 0, thin, aa)


def draw_plan(
    seed: int,
    width: int = 1200,
    height: int = 900,
    *,
    noise: float = 0.0,
    furniture: bool = True,
    text: bool = True,
    annotations: bool = True,
    l_shape: bool | None = None,
    window_grey: int | None = None,
    skew_deg: float = 0.0,
) -> DrawnPlan:
    """Draw a floor plan of `width` x `height` px from `seed`, with its exact rooms.

    `noise` in [0, 1] adds scan noise (slight blur, salt and pepper) scaled by the level;
    `furniture`, `text` (room names and sizes) and `annotations` (dimension lines, compass,
    title block) switch the clutter on and off without changing the rooms;
    `l_shape` forces (True) or forbids (False) an L-shaped building (None: the seed decides);
    `window_grey` is the grey of window lines (None: the seed picks black or mid grey);
    `skew_deg` turns the whole sheet about its centre, as a crooked scan does (the truth turns
    with it).
    Same arguments, same pixels.
    """
    if width < 64 or height < 64:
        raise ValueError("draw_plan needs at least 64 x 64 px")
    rng = np.random.default_rng(seed)
    W, H = int(width), int(height)
    img = np.full((H, W), 255, np.uint8)

    # Page layout as fractions of the page: margins hold dimensions, compass, title block.
    mL, mT, mR, mB = int(0.09 * W), int(0.11 * H), int(0.05 * W), int(0.15 * H)
    avail_w, avail_h = W - mL - mR, H - mT - mB
    width_m = float(rng.uniform(10.0, 18.0))
    bw = int(avail_w * rng.uniform(0.85, 1.0))
    px_per_m = bw / width_m
    bh = int(min(avail_h, max(0.45 * avail_h, bw * rng.uniform(0.45, 0.95))))
    bx0 = mL + int(rng.integers(0, max(avail_w - bw, 0) + 1))
    by0 = mT + int(rng.integers(0, max(avail_h - bh, 0) + 1))
    bx1, by1 = bx0 + bw, by0 + bh

    def px(m: float) -> int:
        return max(1, round(m * px_per_m))

    thin = px(THIN_LINE_M)
    t_ext = px(float(rng.uniform(*EXTERIOR_WALL_M)))
    t_int = sorted({px(m) for m in INTERIOR_WALL_M})
    t_int = [min(t, t_ext - 1) if t_ext > 1 else t for t in t_int]
    min_side = px(MIN_ROOM_SIDE_M)

    # Building footprint: the rectangle, or an L (one corner cut off), split into rooms.
    walls: list[_Wall] = []
    pieces = [_Rect(bx0, by0, bx1, by1)]
    if (rng.random() < 0.5 if l_shape is None else l_shape) and min(bw, bh) > 4 * min_side:
        cx = int(rng.integers(bx0 + 2 * min_side, bx1 - 2 * min_side + 1))
        cy = int(rng.integers(by0 + 2 * min_side, by1 - 2 * min_side + 1))
        corner = int(rng.integers(4))  # which corner is cut away
        left, top = corner in (0, 2), corner in (0, 1)
        strip = _Rect(cx, by0, bx1, by1) if left else _Rect(bx0, by0, cx, by1)
        rest = _Rect(bx0, by0, cx, by1) if left else _Rect(cx, by0, bx1, by1)
        rest = _Rect(rest.x0, cy, rest.x1, rest.y1) if top else _Rect(rest.x0, rest.y0, rest.x1, cy)
        t = int(rng.choice(t_int))
        walls.append(_Wall("v", cx, rest.y0, rest.y1, t))
        pieces = [strip, rest]
    target_area = float(rng.uniform(10.0, 24.0)) * px_per_m**2
    rooms: list[_Rect] = []
    for piece in pieces:
        rooms += _split(
            piece,
            rng,
            min_side=min_side,
            target_area=target_area,
            thicknesses=t_int,
            walls=walls,
        )
    rooms.sort(key=lambda r: (r.y0, r.x0))

    # Wall bands: exterior band straddles the footprint's outline; interior bands on splits.
    inside = np.zeros((H, W), bool)
    for r in rooms:
        inside[r.y0 : r.y1, r.x0 : r.x1] = True
    k = np.ones((t_ext, t_ext), np.uint8)
    fat = cv2.dilate(inside.view(np.uint8), k, anchor=(t_ext // 2, t_ext // 2))
    slim = cv2.erode(inside.view(np.uint8), k, anchor=(t_ext // 2, t_ext // 2))
    wall = (fat > 0) & ~(slim > 0)
    for wl in walls:
        # extend by half a thickness so the band meets the walls it joins
        x0, y0, x1, y1 = _band(wl.axis, wl.pos, wl.lo, wl.hi, wl.thickness)
        if wl.axis == "v":
            y0, y1 = y0 - wl.thickness // 2, y1 + wl.thickness // 2
        else:
            x0, x1 = x0 - wl.thickness // 2, x1 + wl.thickness // 2
        _fill(wall, (x0, y0, x1, y1), True)
    wall_thickness = {(wl.axis, wl.pos, wl.lo, wl.hi): wl.thickness for wl in walls}

    labels = np.zeros((H, W), np.int32)
    for i, r in enumerate(rooms, start=1):
        labels[r.y0 : r.y1, r.x0 : r.x1] = i
    labels[wall] = 0
    img[wall] = 0

    # Doors: a spanning tree over shared walls (every room reachable) plus a few extra.
    def thickness_at(axis: str, pos: int, lo: int, hi: int) -> int:
        for (a, p, wlo, whi), t in wall_thickness.items():
            if a == axis and p == pos and wlo <= lo and hi <= whi:
                return t
        return max(t_int)

    doors: list[int] = []
    keepout: list[tuple[int, int, int, int]] = []  # doorways and door swings: no furniture
    edges = _shared_edges(rooms)
    order = rng.permutation(len(edges))
    parent = list(range(len(rooms)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e in order:
        i, j, axis, pos, lo, hi = edges[e]
        double = rng.random() < 0.15  # a pair of leaves in one wide opening
        d = px(float(rng.uniform(*(DOUBLE_DOOR_M if double else DOOR_M))))
        t = thickness_at(axis, pos, lo, hi)
        clear = max(t_int) + t_ext // 2 + px(0.1)
        if hi - lo < d + 2 * clear:
            continue
        joined = find(i) != find(j)
        if not joined and rng.random() > 0.25:
            continue
        parent[find(i)] = find(j)
        doors.append(d)
        start = int(rng.integers(lo + clear, hi - clear - d + 1))
        _fill(img, _band(axis, pos, start, start + d, t + 2), 255)
        keepout.append(_swing_box(axis, pos, start, start + d, t, d))
        if rng.random() < 0.2:
            continue  # an open doorway: a gap and nothing else
        # leaves and arcs swing into one of the two rooms, hinged at the jambs
        side = 1 if rng.random() < 0.5 else -1
        face = pos + side * (t // 2 + (t % 2 if side > 0 else 0))
        if double:
            _door_leaf(img, axis, face, start, start + d // 2, side, thin)
            _door_leaf(img, axis, face, start + d, start + d - d // 2, side, thin)
        elif rng.random() < 0.5:
            _door_leaf(img, axis, face, start, start + d, side, thin)
        else:
            _door_leaf(img, axis, face, start + d, start, side, thin)

    # Windows: thin parallel lines across gaps in exterior walls; one entrance door.
    grey = window_grey if window_grey is not None else int(rng.choice([0, 0, 110, 150]))
    entrance_done = False
    for r in rooms:
        for axis, pos, lo, hi, sign in _exterior_runs(r, inside):
            clear = t_ext + max(t_int) + px(0.15)
            if not entrance_done and hi - lo > px(DOOR_M[1]) + 2 * clear:
                d = px(DOOR_M[1])
                start = int(rng.integers(lo + clear, hi - clear - d + 1))
                _fill(img, _band(axis, pos, start, start + d, t_ext + 2), 255)
                keepout.append(_swing_box(axis, pos, start, start + d, t_ext, d))
                inner = pos - sign * (t_ext // 2)  # the inside face; the door opens inwards
                _door_leaf(img, axis, inner, start, start + d, -sign, thin)
                entrance_done = True
                continue
            wlen = px(float(rng.uniform(*WINDOW_M)))
            if hi - lo < wlen + 2 * clear or rng.random() < 0.25:
                continue
            start = int(rng.integers(lo + clear, hi - clear - wlen + 1))
            a, b = _band_across(wall, axis, pos, start + wlen // 2)
            x0, y0, x1, y1 = (
                (a, start, b, start + wlen) if axis == "v" else (start, a, start + wlen, b)
            )
            _fill(img, (x0, y0, x1, y1), 255)
            n_lines = 2 if rng.random() < 0.6 else 3
            for f in np.linspace(0, 1, n_lines):
                off = round(f * (b - a - thin))
                if axis == "v":
                    _fill(img, (x0 + off, y0, x0 + off + thin, y1), grey)
                else:
                    _fill(img, (x0, y0 + off, x1, y0 + off + thin), grey)
            # jambs
            if axis == "v":
                _fill(img, (x0, y0, x1, y0 + thin), grey)
                _fill(img, (x0, y1 - thin, x1, y1), grey)
            else:
                _fill(img, (x0, y0, x0 + thin, y1), grey)
                _fill(img, (x1 - thin, y0, x1, y1), grey)

    # Furniture: thin outlines, against walls or free-standing, never in a doorway or swing.
    if furniture:
        placed: list[tuple[int, int, int, int]] = []
        for k, r in enumerate(rooms, start=1):
            inner = _free_box(labels, r, k)
            for _ in range(int(rng.integers(0, 4))):
                _place_furniture(img, rng, inner, keepout, placed, px, thin)

    # Room names with their size, as estate-agent plans print them.
    names: list[str] = []
    for r in rooms:
        name = str(rng.choice(ROOM_NAMES))
        names.append(name)
        if not text:
            continue
        cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
        inner_w = r.w - max(t_int) - px(0.3)
        th = px(0.22)
        tk = max(1, round(th / 9))
        _put_text_fit(img, name, (cx, cy - th), th, inner_w, tk)
        size = f"{r.w / px_per_m:.2f} x {r.h / px_per_m:.2f}"
        _put_text_fit(img, size, (cx, cy + th), th * 0.8, inner_w, tk)

    # Dimension lines with ticks along the top and the left, outside the building.
    if annotations:
        tick = max(3, int(0.18 * mT))
        dim_y = by0 - int(0.45 * mT)
        xs = sorted({bx0, bx1, *(r.x0 for r in rooms if r.y0 == by0)})
        cv2.line(img, (bx0, dim_y), (bx1, dim_y), 0, thin)
        for x in xs:
            cv2.line(
                img, (x - tick // 2, dim_y + tick // 2), (x + tick // 2, dim_y - tick // 2), 0, thin
            )
        for a, b in itertools.pairwise(xs):
            _put_text_fit(
                img,
                f"{(b - a) / px_per_m:.2f}",
                ((a + b) / 2, dim_y - 0.28 * mT),
                0.2 * mT,
                0.8 * (b - a),
                max(1, thin),
            )
        dim_x = bx0 - int(0.5 * mL)
        ys = sorted({by0, by1, *(r.y0 for r in rooms if r.x0 == bx0)})
        cv2.line(img, (dim_x, by0), (dim_x, by1), 0, thin)
        for y in ys:
            cv2.line(
                img, (dim_x - tick // 2, y + tick // 2), (dim_x + tick // 2, y - tick // 2), 0, thin
            )

    # Compass (top right margin) and title block (bottom margin), outside the building.
    if annotations:
        rad = max(4, int(0.32 * min(mT, mR * 2)))
        cc = (W - mR - rad - 2, int(0.45 * mT))
        cv2.circle(img, cc, rad, 0, thin, cv2.LINE_AA)
        arrow = np.array(
            [
                [cc[0], cc[1] - rad],
                [cc[0] - rad // 3, cc[1] + rad // 2],
                [cc[0] + rad // 3, cc[1] + rad // 2],
            ],
            np.int32,
        )
        cv2.fillPoly(img, [arrow], 0, cv2.LINE_AA)
        tx0, ty0 = int(0.58 * W), H - int(0.85 * mB)
        tx1, ty1 = int(0.96 * W), H - int(0.12 * mB)
        cv2.rectangle(img, (tx0, ty0), (tx1, ty1), 0, max(1, thin), cv2.LINE_AA)
        ymid = (ty0 + ty1) // 2
        cv2.line(img, (tx0, ymid), (tx1, ymid), 0, thin)
        xmid = tx0 + (tx1 - tx0) * 2 // 3
        cv2.line(img, (xmid, ymid), (xmid, ty1), 0, thin)
        _put_text_fit(
            img,
            "GROUND FLOOR PLAN",
            ((tx0 + tx1) / 2, (ty0 + ymid) / 2),
            0.45 * (ymid - ty0),
            0.9 * (tx1 - tx0),
            max(1, thin),
        )
        _put_text_fit(
            img,
            f"Drawing {seed}",
            ((tx0 + xmid) / 2, (ymid + ty1) / 2),
            0.4 * (ty1 - ymid),
            0.9 * (xmid - tx0),
            max(1, thin),
        )
        _put_text_fit(
            img,
            "1:100",
            ((xmid + tx1) / 2, (ymid + ty1) / 2),
            0.4 * (ty1 - ymid),
            0.9 * (tx1 - xmid),
            max(1, thin),
        )

    if skew_deg:
        img, labels, wall = _skew(img, labels, wall, skew_deg)
    if noise > 0:
        img = _scan_noise(img, rng, level=float(noise), thin=thin)

    log.debug("drew plan seed=%d %dx%d rooms=%d px_per_m=%.1f", seed, W, H, len(rooms), px_per_m)
    return DrawnPlan(
        image=img,
        labels=labels,
        walls=wall,
        seed=seed,
        px_per_m=px_per_m,
        exterior_wall_px=t_ext,
        interior_wall_px=tuple(t_int),
        door_px=tuple(doors),
        room_names=tuple(names),
    )


def _skew(
    img: np.ndarray, labels: np.ndarray, walls: np.ndarray, degrees: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn the sheet and its truth together about the centre (paper fills the corners)."""
    h, w = img.shape
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, 1.0)
    img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    # labels keep their integer values: nearest neighbour, and float32 holds them exactly
    lab = cv2.warpAffine(labels.astype(np.float32), m, (w, h), flags=cv2.INTER_NEAREST)
    wal = cv2.warpAffine(walls.view(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST)
    return img, lab.astype(np.int32), wal > 0


def _scan_noise(
    img: np.ndarray, rng: np.random.Generator, *, level: float, thin: int
) -> np.ndarray:
    """A scanner's defects: a slight blur and salt-and-pepper specks, scaled by `level`."""
    sigma = 0.35 * thin + 0.4 * level
    out = cv2.GaussianBlur(img, (0, 0), sigma)
    n = int(level * 0.004 * img.size)
    if n:
        ys = rng.integers(0, img.shape[0], n)
        xs = rng.integers(0, img.shape[1], n)
        out[ys, xs] = np.where(rng.random(n) < 0.5, 0, 255).astype(np.uint8)
    return out


def save_truth(plan: DrawnPlan, path: str | Path) -> None:
    """Write the label image as a 16-bit PNG (0 = no room, k = room k)."""
    if plan.room_count > 65535:
        raise ValueError("too many rooms for a 16-bit label image")
    if not cv2.imwrite(str(path), plan.labels.astype(np.uint16)):
        raise OSError(f"could not write {path}")


@dataclass(frozen=True)
class TruthScore:
    """Detected rooms against a drawn plan's truth, matched one to one at IoU > 0.5."""

    drawn: int
    found: int
    matched: int
    iou_sum: float  # over the matched pairs

    @property
    def mean_iou(self) -> float:
        return self.iou_sum / self.matched if self.matched else 0.0

    def __str__(self) -> str:
        return (
            f"rooms found: {self.found}, drawn: {self.drawn}, matching a drawn room "
            f"(IoU > 0.5): {self.matched}, mean IoU of those: {self.mean_iou:.3f}"
        )


def compare_with_truth(
    polygons: Sequence[Sequence[Sequence[float]]], labels: np.ndarray
) -> TruthScore:
    """Score room polygons against a label image, exactly as the benchmark scores datasets."""
    from .benchmark import match_rooms, rasterise_rooms  # the one definition of scoring

    score = match_rooms(rasterise_rooms(polygons, labels.shape[:2]), labels)
    return TruthScore(
        drawn=int(labels.max()) if labels.size else 0,
        found=len(polygons),
        matched=score.tp,
        iou_sum=score.iou_sum,
    )


def compare_files(results_json: str | Path, truth_png: str | Path) -> TruthScore:
    """`compare_with_truth` for a results document and a truth PNG (`draw --truth`), page 1."""
    import json

    doc = json.loads(Path(results_json).read_text(encoding="utf-8"))
    labels = cv2.imread(str(truth_png), cv2.IMREAD_UNCHANGED)
    if labels is None:
        raise OSError(f"could not read {truth_png}")
    rooms = doc["pages"][0]["rooms"] if doc.get("pages") else []
    return compare_with_truth([r["polygon"] for r in rooms], labels.astype(np.int32))


def main(argv: list[str] | None = None) -> int:
    """`python -m detector.synthetic OUT.png [--seed N] [--width W] [--height H] [--noise L]`."""
    p = argparse.ArgumentParser(
        prog="python -m detector.synthetic", description=__doc__.splitlines()[0]
    )
    add_arguments(p)
    args = p.parse_args(argv)
    plan = write_plan(args)
    print(describe(plan, args))
    return 0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("out", help="image file to write (PNG, JPEG, TIFF, BMP, WebP)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--height", type=int, default=900)
    p.add_argument("--noise", type=float, default=0.0, help="scan noise level in [0, 1]")
    p.add_argument("--skew", type=float, default=0.0, help="turn the sheet by this many degrees")
    p.add_argument("--truth", help="also write the room labels as a 16-bit PNG here")


def write_plan(args: argparse.Namespace) -> DrawnPlan:
    """Draw the plan the arguments describe and write it (and its truth, if asked)."""
    plan = draw_plan(args.seed, args.width, args.height, noise=args.noise, skew_deg=args.skew)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), plan.image):
        raise OSError(f"could not write {out}")
    if args.truth:
        save_truth(plan, args.truth)
    return plan


def describe(plan: DrawnPlan, args: argparse.Namespace) -> str:
    return (
        f"drew {plan.room_count} rooms into {args.out} "
        f"({args.width}x{args.height}, seed {args.seed})"
    )


if __name__ == "__main__":
    sys.exit(main())
