"""Splitting a detected region that holds the names of two rooms.

A region with two name blocks far apart ("Bath" ... "Hall") is often two rooms the
detector joined through a wide opening. It is split only where that is sound: the cut is
the shortest straight line between two of the region's reflex corners (the ends of the
walls left either side of the opening) that parts the two names, and it is kept when the
passage is a narrowing (at most `neck_ratio` of either piece's extent along the cut: the
stubs of an opened wall), or, with `any_names`, when the two names are never one room (two
bedrooms, a bedroom and a bath). Kitchen, living and dining often share one open room (R3D
colours them as one), so two such names with no narrowing between them stay one room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations

import cv2
import numpy as np

from ..results import Room
from .candidates import TextLine
from .reading import Word, _crop
from .vocabulary import correct_name, looks_like_name, type_of_label

NAME_GAP = 2.5  # (word heights) name words closer than this are one name block
FAR = 4.0  # (word heights) an unread line this far from a room's words may be another name
MIN_PIECE = 0.15  # each piece holds at least this share of the region
OPEN_PLAN = frozenset({"living", "kitchen", "dining", "hall"})  # names one room can carry


@dataclass(frozen=True)
class Split:
    """What splitting did to a page: the rooms (renumbered in reading order) and the words
    with their room indices into those rooms."""

    rooms: list[Room]
    words: list[Word]
    split: int  # regions split in two


def name_blocks(words: Sequence[Word]) -> list[list[Word]]:
    """A room's name words grouped into blocks: words within `NAME_GAP` word heights of
    each other (a name over two lines is one block), largest block first."""
    names = [w for w in words if looks_like_name(w.text)]
    if not names:
        return []
    h = float(np.median([w.box[3] for w in names]))
    blocks: list[list[Word]] = []
    for w in sorted(names, key=lambda w: (w.box[1], w.box[0])):
        near = [b for b in blocks if any(_gap(w, v) <= NAME_GAP * h for v in b)]
        merged = [w, *(v for b in near for v in b)]
        blocks = [b for b in blocks if b not in near] + [merged]
    return sorted(blocks, key=len, reverse=True)


def _gap(a: Word, b: Word) -> float:
    """The distance between two word boxes (0 when they overlap)."""
    ax, ay, aw, ah = a.box
    bx, by, bw, bh = b.box
    dx = max(0.0, max(ax, bx) - min(ax + aw, bx + bw))
    dy = max(0.0, max(ay, by) - min(ay + ah, by + bh))
    return float(np.hypot(dx, dy))


def block_type(block: Sequence[Word]) -> str | None:
    rows = sorted(block, key=lambda w: (round(w.box[1] / max(w.box[3], 1)), w.box[0]))
    return type_of_label(correct_name(" ".join(w.text.strip() for w in rows)))


def never_one_room(a: str | None, b: str | None) -> bool:
    """Whether two names' types can never be one room (bedroom and bath, two bedrooms)."""
    if a is None or b is None:
        return False
    return not (a in OPEN_PLAN and b in OPEN_PLAN)


MAX_CUTS = 40  # candidate cuts tried per region, shortest first
CUT_OVERSHOOT = (16.0, 0.15)  # a cut runs on past its corners: px, or share of its length


def _pt(p: np.ndarray) -> tuple[int, int]:
    return round(float(p[0])), round(float(p[1]))


def reflex_corners(poly: np.ndarray) -> np.ndarray:
    """The corners of a polygon that turn into the region (a wall's end sticking in)."""
    p = np.asarray(poly, np.float64)
    a, b = np.roll(p, 1, axis=0) - p, np.roll(p, -1, axis=0) - p
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    # the polygon's orientation: reflex corners turn against it
    x, y = p[:, 0], p[:, 1]
    area2 = float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    return p[cross * np.sign(area2) > 0]


def _cut(
    room: Room, blocks: Sequence[Sequence[Word]]
) -> tuple[np.ndarray, np.ndarray, tuple[int, int], float] | None:
    """The room's two pieces (masks over its box) cut by the shortest straight line between
    two of its reflex corners (the ends of the walls between two rooms) that parts the two
    name blocks, the box's origin, and how narrow the cut is: its length over the shorter
    of the pieces' extents along it (None: no such cut leaves two sound pieces)."""
    x0, y0 = int(np.floor(room.bbox[0])) - 1, int(np.floor(room.bbox[1])) - 1
    w, h = int(np.ceil(room.bbox[2])) + 3, int(np.ceil(room.bbox[3])) + 3
    mask = np.zeros((h, w), np.uint8)
    poly = np.asarray(room.polygon, np.float64) - (x0, y0)
    cv2.fillPoly(mask, [np.round(poly).astype(np.int32).reshape(-1, 1, 2)], 1)
    seeds = []
    for block in blocks[:2]:
        cx = np.mean([wd.box[0] + wd.box[2] / 2 for wd in block]) - x0
        cy = np.mean([wd.box[1] + wd.box[3] / 2 for wd in block]) - y0
        seeds.append((int(np.clip(cy, 0, h - 1)), int(np.clip(cx, 0, w - 1))))
    corners = reflex_corners(poly)
    pairs = sorted(
        (
            (float(np.hypot(*(corners[i] - corners[j]))), i, j)
            for i, j in combinations(range(len(corners)), 2)
        ),
    )
    total = int(mask.sum())
    for length, i, j in pairs[:MAX_CUTS]:
        a, b = corners[i], corners[j]
        line = np.zeros_like(mask)
        cv2.line(line, _pt(a), _pt(b), 1, 2)
        if mask[line > 0].mean() < 0.9:
            continue  # the line leaves the region: no cut across it
        # on past each corner into its wall: a simplified wall end is a spike the region's
        # pixels reach round
        ext = (b - a) / max(length, 1e-9) * max(CUT_OVERSHOOT[0], CUT_OVERSHOOT[1] * length)
        cv2.line(line, _pt(a - ext), _pt(b + ext), 1, 2)
        _, parts = cv2.connectedComponents(mask & (1 - line), connectivity=4)
        k1, k2 = parts[seeds[0]], parts[seeds[1]]
        if not k1 or not k2 or k1 == k2:
            continue
        one, two = parts == k1, parts == k2
        if min(one.sum(), two.sum()) < MIN_PIECE * total:
            continue
        # the cut's pixels and every other scrap go to the piece they touch most
        rest = (mask > 0) & ~one & ~two
        grown = cv2.dilate(one.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
        one = one | (rest & grown)
        two = (mask > 0) & ~one
        along = (b - a) / max(length, 1e-9)
        extents = []
        for piece in (one, two):
            py, px = np.nonzero(piece)
            extents.append(float(np.ptp(np.column_stack([px, py]) @ along)) + 1)
        return one, two, (x0, y0), (length + 1) / min(extents)
    return None


def _piece_room(room: Room, piece: np.ndarray, origin: tuple[int, int], epsilon: float) -> Room:
    """A room from one piece of a region (its largest part), in page pixels."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(piece.astype(np.uint8), connectivity=4)
    if n > 2:
        piece = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    contours, _ = cv2.findContours(piece.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    c = max(contours, key=cv2.contourArea)
    poly = cv2.approxPolyDP(c, epsilon * cv2.arcLength(c, True), True).reshape(-1, 2)
    poly = poly.astype(np.float64) + origin
    pts = poly.astype(np.float32)
    area = float(cv2.contourArea(pts))
    m = cv2.moments(pts)
    x, y, bw, bh = cv2.boundingRect(np.round(pts).astype(np.int32))
    return replace(
        room,
        polygon=[[round(float(a), 2), round(float(b), 2)] for a, b in poly],
        bbox=[float(x), float(y), float(bw), float(bh)],
        area_px=area,
        area_fraction=room.area_fraction * area / max(room.area_px, 1e-9),
        centroid=[float(m["m10"] / max(m["m00"], 1e-9)), float(m["m01"] / max(m["m00"], 1e-9))],
        perimeter_px=float(cv2.arcLength(pts, True)),
        type=None,  # the name read in it gives it
    )


def read_second_names(
    grey: np.ndarray,
    ink: np.ndarray,
    rooms: Sequence[Room],
    words: Sequence[Word],
    unread: dict[int, list[list[TextLine]]],
    recogniser,
    *,
    neck_ratio: float,
    any_names: bool,
) -> list[Word]:
    """Another room's name in a region already named: reading stops at a name and a size,
    so a second name printed elsewhere in the region goes unread. For each region with one
    name block and unread lines far from its words, the far line read first is read when a
    cut between it and the name would be a narrowing (or, with `any_names`, always); it is
    kept when it names a room type. Returns the words with those added."""
    by_room: dict[int, list[Word]] = {}
    for w in words:
        if w.room is not None:
            by_room.setdefault(w.room, []).append(w)
    batch: list[tuple[int, TextLine]] = []
    for k, rows in sorted(unread.items()):
        mine = by_room.get(k, [])
        blocks = name_blocks(mine)
        if len(blocks) != 1:
            continue
        h = float(np.median([w.box[3] for w in mine]))
        far = [
            ln
            for row in rows
            for ln in row
            if not ln.vertical and min(_gap(Word("", ln.box, 0), w) for w in blocks[0]) > FAR * h
        ]
        if not far:
            continue
        if not any_names:
            cut = _cut(rooms[k], [blocks[0], [Word("", far[0].box, 0)]])
            if cut is None or cut[3] > neck_ratio:
                continue
        batch.append((k, far[0]))
    if not batch:
        return list(words)
    added = []
    for (k, line), r in zip(
        batch, recogniser.read([_crop(grey, ink, ln) for _, ln in batch]), strict=True
    ):
        named = r.confidence >= 0.6 and looks_like_name(r.text)
        if named and type_of_label(correct_name(r.text.strip())) is not None:
            added.append(Word(r.text, line.box, r.confidence, k))
    return [*words, *added]


def split_by_labels(
    rooms: Sequence[Room],
    words: Sequence[Word],
    *,
    neck_ratio: float,
    any_names: bool,
    epsilon_factor: float,
) -> Split:
    """The page's rooms with each region that holds two rooms' names split in two (see the
    module's doc), renumbered in reading order; words follow their pieces."""
    by_room: dict[int, list[Word]] = {}
    for w in words:
        if w.room is not None:
            by_room.setdefault(w.room, []).append(w)
    out: list[tuple[Room, list[Word]]] = []
    unplaced = [w for w in words if w.room is None]
    n_split = 0
    for k, room in enumerate(rooms):
        mine = by_room.get(k, [])
        pieces = _split_room(room, mine, neck_ratio, any_names, epsilon_factor)
        if pieces is None:
            out.append((room, mine))
            continue
        n_split += 1
        out += pieces
    if not n_split:
        return Split(list(rooms), list(words), 0)
    order = sorted(
        range(len(out)), key=lambda i: (out[i][0].bbox[1], out[i][0].bbox[0], out[i][0].area_px)
    )
    new_rooms: list[Room] = []
    new_words: list[Word] = list(unplaced)
    for j, i in enumerate(order):
        room, mine = out[i]
        new_rooms.append(replace(room, id=f"room-{j + 1:03d}"))
        new_words += [replace(w, room=j) for w in mine]
    return Split(new_rooms, new_words, n_split)


def _split_room(
    room: Room, words: list[Word], neck_ratio: float, any_names: bool, epsilon: float
) -> list[tuple[Room, list[Word]]] | None:
    blocks = name_blocks(words)
    if len(blocks) != 2:
        return None
    types = [block_type(b) for b in blocks]
    if None in types:
        return None  # a name that names no room is a note, not a second room
    cut = _cut(room, blocks)
    if cut is None:
        return None
    one, two, origin, narrowness = cut
    if not (narrowness <= neck_ratio or (any_names and never_one_room(*types))):
        return None
    pieces = [_piece_room(room, p, origin, epsilon) for p in (one, two)]
    assigned: list[list[Word]] = [[], []]
    for w in words:
        cx, cy = w.box[0] + w.box[2] / 2 - origin[0], w.box[1] + w.box[3] / 2 - origin[1]
        yi = int(np.clip(cy, 0, one.shape[0] - 1))
        xi = int(np.clip(cx, 0, one.shape[1] - 1))
        if one[yi, xi]:
            assigned[0].append(w)
        elif two[yi, xi]:
            assigned[1].append(w)
        else:  # on the region's rim: the piece whose centre is nearer
            d = [
                np.hypot(p.centroid[0] - cx - origin[0], p.centroid[1] - cy - origin[1])
                for p in pieces
            ]
            assigned[int(np.argmin(d))].append(w)
    return [(pieces[0], assigned[0]), (pieces[1], assigned[1])]
