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
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .clutter import (
    compass_and_title,
    dimension_lines,
    furnish,
    name_boxes,
    room_names,
    scale_bar,
    scan_noise,
)
from .sheet import Box, Rect, Sheet, Wall, band, fill

log = logging.getLogger(__name__)

# Sizes in metres of the drawn building (converted once, through px_per_m).
EXTERIOR_WALL_M = (0.28, 0.40)
INTERIOR_WALL_M = (0.10, 0.15, 0.20)
DOOR_M = (0.75, 0.95)
DOUBLE_DOOR_M = (1.2, 1.6)
WINDOW_M = (0.9, 2.0)
MIN_ROOM_SIDE_M = 1.9
THIN_LINE_M = 0.025


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
    # each room's inside (wall face to wall face) in metres, width x depth, as printed
    room_sizes_m: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    scale_bar_box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 of a drawn bar

    @property
    def room_count(self) -> int:
        return int(self.labels.max())

    def room_masks(self) -> list[np.ndarray]:
        """One HxW bool mask per drawn room, in label order."""
        return [self.labels == k for k in range(1, self.room_count + 1)]


def _split(
    rect: Rect,
    rng: np.random.Generator,
    *,
    min_side: int,
    target_area: float,
    thicknesses: list[int],
    walls: list[Wall],
    depth: int = 0,
) -> list[Rect]:
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
        walls.append(Wall("v", pos, rect.y0, rect.y1, t))
        parts = [Rect(rect.x0, rect.y0, pos, rect.y1), Rect(pos, rect.y0, rect.x1, rect.y1)]
    else:
        pos = int(rng.integers(rect.y0 + min_side, rect.y1 - min_side + 1))
        walls.append(Wall("h", pos, rect.x0, rect.x1, t))
        parts = [Rect(rect.x0, rect.y0, rect.x1, pos), Rect(rect.x0, pos, rect.x1, rect.y1)]
    out: list[Rect] = []
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


def _shared_edges(rooms: list[Rect]) -> list[tuple[int, int, str, int, int, int]]:
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


def _exterior_runs(rect: Rect, inside: np.ndarray) -> list[tuple[str, int, int, int, int]]:
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
    x0, y0, x1, y1 = band(axis, pos, lo, hi, t)
    return (x0 - d, y0, x1 + d, y1) if axis == "v" else (x0, y0 - d, x1, y1 + d)


def _lay_out(rng: np.random.Generator, W: int, H: int) -> Sheet:
    """The page's margins, the building's box and scale, and the line and wall thicknesses."""
    # Page layout as fractions of the page: margins hold dimensions, compass, title block.
    mL, mT, mR, mB = int(0.09 * W), int(0.11 * H), int(0.05 * W), int(0.15 * H)
    avail_w, avail_h = W - mL - mR, H - mT - mB
    width_m = float(rng.uniform(10.0, 18.0))
    bw = int(avail_w * rng.uniform(0.85, 1.0))
    px_per_m = bw / width_m
    bh = int(min(avail_h, max(0.45 * avail_h, bw * rng.uniform(0.45, 0.95))))
    bx0 = mL + int(rng.integers(0, max(avail_w - bw, 0) + 1))
    by0 = mT + int(rng.integers(0, max(avail_h - bh, 0) + 1))
    sheet = Sheet(
        img=np.full((H, W), 255, np.uint8),
        rng=rng,
        margins=(mL, mT, mR, mB),
        building=(bx0, by0, bx0 + bw, by0 + bh),
        px_per_m=px_per_m,
    )
    sheet.thin = sheet.px(THIN_LINE_M)
    sheet.t_ext = sheet.px(float(rng.uniform(*EXTERIOR_WALL_M)))
    t_int = sorted({sheet.px(m) for m in INTERIOR_WALL_M})
    sheet.t_int = [min(t, sheet.t_ext - 1) if sheet.t_ext > 1 else t for t in t_int]
    sheet.min_side = sheet.px(MIN_ROOM_SIDE_M)
    return sheet


def _footprint(sheet: Sheet, l_shape: bool | None, walls: list[Wall]) -> list[Rect]:
    """The building as one rectangle, or an L (one corner cut off) as two pieces."""
    rng, min_side = sheet.rng, sheet.min_side
    bx0, by0, bx1, by1 = sheet.building
    pieces = [Rect(bx0, by0, bx1, by1)]
    if (rng.random() < 0.5 if l_shape is None else l_shape) and min(
        bx1 - bx0, by1 - by0
    ) > 4 * min_side:
        cx = int(rng.integers(bx0 + 2 * min_side, bx1 - 2 * min_side + 1))
        cy = int(rng.integers(by0 + 2 * min_side, by1 - 2 * min_side + 1))
        corner = int(rng.integers(4))  # which corner is cut away
        left, top = corner in (0, 2), corner in (0, 1)
        strip = Rect(cx, by0, bx1, by1) if left else Rect(bx0, by0, cx, by1)
        rest = Rect(bx0, by0, cx, by1) if left else Rect(cx, by0, bx1, by1)
        rest = Rect(rest.x0, cy, rest.x1, rest.y1) if top else Rect(rest.x0, rest.y0, rest.x1, cy)
        t = int(rng.choice(sheet.t_int))
        walls.append(Wall("v", cx, rest.y0, rest.y1, t))
        pieces = [strip, rest]
    return pieces


def _rooms(sheet: Sheet, pieces: list[Rect], walls: list[Wall]) -> list[Rect]:
    """The footprint's pieces split into rooms, top-left first; each split adds a wall."""
    target_area = float(sheet.rng.uniform(10.0, 24.0)) * sheet.px_per_m**2
    rooms: list[Rect] = []
    for piece in pieces:
        rooms += _split(
            piece,
            sheet.rng,
            min_side=sheet.min_side,
            target_area=target_area,
            thicknesses=sheet.t_int,
            walls=walls,
        )
    rooms.sort(key=lambda r: (r.y0, r.x0))
    return rooms


def _wall_bands(
    sheet: Sheet, rooms: list[Rect], walls: list[Wall]
) -> tuple[np.ndarray, np.ndarray]:
    """(inside, wall): the building's footprint and its wall bands, HxW bool.

    The exterior band straddles the footprint's outline; interior bands lie on the splits.
    """
    H, W = sheet.img.shape
    t_ext = sheet.t_ext
    inside = np.zeros((H, W), bool)
    for r in rooms:
        inside[r.y0 : r.y1, r.x0 : r.x1] = True
    k = np.ones((t_ext, t_ext), np.uint8)
    fat = cv2.dilate(inside.view(np.uint8), k, anchor=(t_ext // 2, t_ext // 2))
    slim = cv2.erode(inside.view(np.uint8), k, anchor=(t_ext // 2, t_ext // 2))
    wall = (fat > 0) & ~(slim > 0)
    for wl in walls:
        # extend by half a thickness so the band meets the walls it joins
        x0, y0, x1, y1 = band(wl.axis, wl.pos, wl.lo, wl.hi, wl.thickness)
        if wl.axis == "v":
            y0, y1 = y0 - wl.thickness // 2, y1 + wl.thickness // 2
        else:
            x0, x1 = x0 - wl.thickness // 2, x1 + wl.thickness // 2
        fill(wall, (x0, y0, x1, y1), True)
    return inside, wall


def _room_labels(rooms: list[Rect], wall: np.ndarray) -> np.ndarray:
    """The truth: room k (1-based) inside its wall faces, 0 on walls and outside."""
    labels = np.zeros(wall.shape, np.int32)
    for i, r in enumerate(rooms, start=1):
        labels[r.y0 : r.y1, r.x0 : r.x1] = i
    labels[wall] = 0
    return labels


class _Components:
    """Union-find over room indices: which rooms a door already connects."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        parent = self.parent
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _interior_doors(
    sheet: Sheet, rooms: list[Rect], walls: list[Wall], keepout: list[Box]
) -> list[int]:
    """Cut doors into interior walls and return their widths (px).

    A spanning tree over shared walls (every room reachable) plus a few extra; each doorway
    and its swing is added to `keepout` (no furniture there).
    """
    rng, img, thin, t_int = sheet.rng, sheet.img, sheet.thin, sheet.t_int
    wall_thickness = {(wl.axis, wl.pos, wl.lo, wl.hi): wl.thickness for wl in walls}

    def thickness_at(axis: str, pos: int, lo: int, hi: int) -> int:
        for (a, p, wlo, whi), t in wall_thickness.items():
            if a == axis and p == pos and wlo <= lo and hi <= whi:
                return t
        return max(t_int)

    doors: list[int] = []
    edges = _shared_edges(rooms)
    order = rng.permutation(len(edges))
    components = _Components(len(rooms))
    for e in order:
        i, j, axis, pos, lo, hi = edges[e]
        double = rng.random() < 0.15  # a pair of leaves in one wide opening
        d = sheet.px(float(rng.uniform(*(DOUBLE_DOOR_M if double else DOOR_M))))
        t = thickness_at(axis, pos, lo, hi)
        clear = max(t_int) + sheet.t_ext // 2 + sheet.px(0.1)
        if hi - lo < d + 2 * clear:
            continue
        joined = components.find(i) != components.find(j)
        if not joined and rng.random() > 0.25:
            continue
        components.join(i, j)
        doors.append(d)
        start = int(rng.integers(lo + clear, hi - clear - d + 1))
        fill(img, band(axis, pos, start, start + d, t + 2), 255)
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
    return doors


def _window(
    sheet: Sheet, wall: np.ndarray, axis: str, pos: int, start: int, wlen: int, grey: int
) -> None:
    """A window of length `wlen` from `start` along an exterior wall: 2-3 lines and jambs."""
    img, thin = sheet.img, sheet.thin
    a, b = _band_across(wall, axis, pos, start + wlen // 2)
    x0, y0, x1, y1 = (a, start, b, start + wlen) if axis == "v" else (start, a, start + wlen, b)
    fill(img, (x0, y0, x1, y1), 255)
    n_lines = 2 if sheet.rng.random() < 0.6 else 3
    for f in np.linspace(0, 1, n_lines):
        off = round(f * (b - a - thin))
        if axis == "v":
            fill(img, (x0 + off, y0, x0 + off + thin, y1), grey)
        else:
            fill(img, (x0, y0 + off, x1, y0 + off + thin), grey)
    # jambs
    if axis == "v":
        fill(img, (x0, y0, x1, y0 + thin), grey)
        fill(img, (x0, y1 - thin, x1, y1), grey)
    else:
        fill(img, (x0, y0, x0 + thin, y1), grey)
        fill(img, (x1 - thin, y0, x1, y1), grey)


def _exterior_openings(
    sheet: Sheet,
    rooms: list[Rect],
    inside: np.ndarray,
    wall: np.ndarray,
    keepout: list[Box],
    window_grey: int | None,
) -> None:
    """One entrance door (the first long enough exterior stretch) and windows elsewhere."""
    rng, img, t_ext = sheet.rng, sheet.img, sheet.t_ext
    grey = window_grey if window_grey is not None else int(rng.choice([0, 0, 110, 150]))
    entrance_done = False
    for r in rooms:
        for axis, pos, lo, hi, sign in _exterior_runs(r, inside):
            clear = t_ext + max(sheet.t_int) + sheet.px(0.15)
            if not entrance_done and hi - lo > sheet.px(DOOR_M[1]) + 2 * clear:
                d = sheet.px(DOOR_M[1])
                start = int(rng.integers(lo + clear, hi - clear - d + 1))
                fill(img, band(axis, pos, start, start + d, t_ext + 2), 255)
                keepout.append(_swing_box(axis, pos, start, start + d, t_ext, d))
                inner = pos - sign * (t_ext // 2)  # the inside face; the door opens inwards
                _door_leaf(img, axis, inner, start, start + d, -sign, sheet.thin)
                entrance_done = True
                continue
            wlen = sheet.px(float(rng.uniform(*WINDOW_M)))
            if hi - lo < wlen + 2 * clear or rng.random() < 0.25:
                continue
            start = int(rng.integers(lo + clear, hi - clear - wlen + 1))
            _window(sheet, wall, axis, pos, start, wlen, grey)


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
    sizes: bool = True,
    scale_bar_unit: str | None = None,
    wide_openings: int = 0,
) -> DrawnPlan:
    """Draw a floor plan of `width` x `height` px from `seed`, with its exact rooms.

    `noise` in [0, 1] adds scan noise (slight blur, salt and pepper) scaled by the level;
    `furniture`, `text` (room names and sizes) and `annotations` (dimension lines, compass,
    title block) switch the clutter on and off without changing the rooms;
    `l_shape` forces (True) or forbids (False) an L-shaped building (None: the seed decides);
    `window_grey` is the grey of window lines (None: the seed picks black or mid grey);
    `skew_deg` turns the whole sheet about its centre, as a crooked scan does (the truth turns
    with it);
    `sizes` off prints the rooms' names without their sizes;
    `scale_bar_unit` ("m" or "ft") draws a scale bar in that unit in the bottom margin (from
    a generator of its own, so the rest of the plan is the same as without it);
    `wide_openings` opens that many interior walls over most of their length (an open-plan
    arch: two rooms, as the truth keeps them, joined by an opening far wider than a door;
    also from a generator of its own).
    Same arguments, same pixels: every part below draws from the one seeded generator in a
    fixed order.
    """
    if width < 64 or height < 64:
        raise ValueError("draw_plan needs at least 64 x 64 px")
    rng = np.random.default_rng(seed)
    sheet = _lay_out(rng, int(width), int(height))
    walls: list[Wall] = []
    rooms = _rooms(sheet, _footprint(sheet, l_shape, walls), walls)
    inside, wall = _wall_bands(sheet, rooms, walls)
    labels = _room_labels(rooms, wall)
    sheet.img[wall] = 0
    keepout: list[Box] = []  # doorways and door swings: no furniture
    doors = _interior_doors(sheet, rooms, walls, keepout)
    _exterior_openings(sheet, rooms, inside, wall, keepout, window_grey)
    if furniture:
        furnish(sheet, rooms, labels, keepout + (name_boxes(sheet, rooms) if text else []))
    names, room_sizes = room_names(sheet, rooms, labels, text, sizes)
    if annotations:
        dimension_lines(sheet, rooms)
        compass_and_title(sheet, seed)
    if wide_openings:
        _open_walls(sheet, rooms, walls, wide_openings, np.random.default_rng((seed, 2)))
    bar = None
    if scale_bar_unit is not None:
        bar = scale_bar(sheet, np.random.default_rng((seed, 1)), scale_bar_unit)
    img = sheet.img
    if skew_deg:
        img, labels, wall = _skew(img, labels, wall, skew_deg)
    if noise > 0:
        img = scan_noise(img, rng, level=float(noise), thin=sheet.thin)

    H, W = img.shape
    log.debug(
        "drew plan seed=%d %dx%d rooms=%d px_per_m=%.1f", seed, W, H, len(rooms), sheet.px_per_m
    )
    return DrawnPlan(
        image=img,
        labels=labels,
        walls=wall,
        seed=seed,
        px_per_m=sheet.px_per_m,
        exterior_wall_px=sheet.t_ext,
        interior_wall_px=tuple(sheet.t_int),
        door_px=tuple(doors),
        room_names=tuple(names),
        room_sizes_m=tuple(room_sizes),
        scale_bar_box=bar,
    )


WIDE_OPENING_M = 2.4  # an opening at least this wide: no door's width


def _open_walls(
    sheet: Sheet, rooms: list[Rect], walls: list[Wall], count: int, rng: np.random.Generator
) -> None:
    """Open `count` interior walls (shared by two rooms, long enough) over 55-75 % of their
    shared length, at least `WIDE_OPENING_M`, leaving a stub of wall at each end."""
    clear = max(sheet.t_int) + sheet.t_ext // 2 + sheet.px(0.1)
    edges = [e for e in _shared_edges(rooms) if 0.75 * (e[5] - e[4]) >= sheet.px(WIDE_OPENING_M)]
    for e in rng.permutation(len(edges))[:count]:
        _, _, axis, pos, lo, hi = edges[e]
        t = max(
            (w.thickness for w in walls if w.axis == axis and w.pos == pos and w.lo <= lo < w.hi),
            default=max(sheet.t_int),
        )
        width = max(sheet.px(WIDE_OPENING_M), round(rng.uniform(0.55, 0.75) * (hi - lo)))
        width = min(width, hi - lo - 2 * clear)
        start = lo + (hi - lo - width) // 2
        fill(sheet.img, band(axis, pos, start, start + width, t + 2), 255)


def draw_two_rooms(
    s: int = 1, *, doorway: bool = True, window: bool = True, clutter: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """A 400 x 300 (times `s`) plan: two rooms side by side; returns (image, truth labels).

    Exterior walls 8 px, the partition 6 px with a 40 px open doorway, a 60 px window in
    the top wall drawn as two thin grey lines, and clutter: text, a door arc, a table, a
    dimension line outside.
    """
    img = np.full((300 * s, 400 * s), 255, np.uint8)
    x0, y0, x1, y1, te, ti = 50 * s, 50 * s, 350 * s, 250 * s, 8 * s, 6 * s
    img[y0:y1, x0:x1] = 0
    img[y0 + te : y1 - te, x0 + te : x1 - te] = 255
    xm = 200 * s
    img[y0:y1, xm - ti // 2 : xm + ti // 2] = 0
    labels = np.zeros(img.shape, np.int32)
    labels[y0 + te : y1 - te, x0 + te : xm - ti // 2] = 1
    labels[y0 + te : y1 - te, xm + ti // 2 : x1 - te] = 2
    if doorway:
        img[130 * s : 170 * s, xm - ti // 2 : xm + ti // 2] = 255
    if window:
        wx0, wx1 = 90 * s, 150 * s
        img[y0 : y0 + te, wx0:wx1] = 255
        img[y0 : y0 + s, wx0:wx1] = 150
        img[y0 + te - s : y0 + te, wx0:wx1] = 150
    if clutter:
        cv2.putText(img, "BEDROOM", (80 * s, 200 * s), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * s, 0, s)
        cv2.ellipse(img, (xm, 130 * s), (40 * s, 40 * s), 0, 90, 180, 0, s)
        cv2.rectangle(img, (250 * s, 150 * s), (300 * s, 200 * s), 0, s)
        cv2.line(img, (x0, 270 * s), (x1, 270 * s), 0, s)
    return img, labels


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
    from .scoring import match_rooms, rasterise_rooms  # the one definition of scoring

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
    """`python -m detector_dev.synthetic OUT.png [--seed N] [--width W] [--height H] ...`."""
    p = argparse.ArgumentParser(
        prog="python -m detector_dev.synthetic", description=__doc__.splitlines()[0]
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
