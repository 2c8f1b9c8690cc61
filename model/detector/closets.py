"""Closets and wardrobes closed off as rooms of their own.

A fitted wardrobe is drawn inside the room it opens onto: a box of thin lines against the
walls, its front carrying door arcs or sliding doors. The walls stage drops thin lines, so
the wardrobe and its room come out as one region. Here each room is cut along its thin
lines into pieces; every piece but the room's body is a candidate, described by features in
units of the wall thickness t (size, shape, what fences it, what is drawn inside it and in
front of it), and a small forest trained offline on R3D (`detector_dev.closets`, shipped as
`closets.json`) says whether it is a room of its own. Accepted pieces become regions; the
room they came from loses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from .room_types import Forest
from .stages import Region

MODEL_PATH = Path(__file__).resolve().parent / "closets.json"
MIN_PIECE_T2 = 2.0  # smaller pieces (letters' insides, hatching cells) are never rooms
MIN_PIECE_WIDTH_T = 1.0  # nor pieces no disk this wide fits in (slots between lines)
FRONT_T = 2.0  # (t) the band in front of a piece where its door arcs swing

FEATURES = (
    "log_area_t2",
    "area_of_room",  # piece / the room it is cut from
    "width_t",  # widest inscribed disk
    "elongation",
    "extent",
    "wall_rim",  # rim share on walls
    "line_rim",  # rim share on thin lines
    "marks_inside",  # marks within the piece's outline, per pixel
    "holes",  # closed loops inside (a toilet, a basin, a bed's pillow)
    "front_marks",  # marks in the band in front of it, per pixel (door arcs)
    "pieces",  # candidate pieces cut from the same room
    "room_log_area_t2",
    "front_rim",  # rim share facing the room's other floor across a line (the front)
    "front_length_t",  # the front's long side
    "front_depth_t",  # its short side (a straight front is thin)
    "front_curves",  # curved marks in the band in front, per pixel (door arcs, bifolds)
    "front_straights",  # straight marks there (sliding doors' double lines, rails)
)
FRONT_REACH_T = 0.75  # (t) across the front line to the room's other floor
WALL_HUG_T = 0.25  # (t) rim this close to a wall is on the wall
STRAIGHT_T = 1.0  # (t) a mark this long along a row or column is straight, not an arc


@dataclass(frozen=True)
class Piece:
    """A candidate: the room it is cut from, its mask in that room's crop, its features."""

    room: int
    origin: tuple[int, int]  # (x, y) of the crop
    mask: np.ndarray  # bool, crop-sized
    features: np.ndarray


def closet_candidates(
    regions: list[Region], *, walls: np.ndarray, lines: np.ndarray, thickness_px: float
) -> list[Piece]:
    """The pieces each room's thin lines cut off its body (see the module docstring)."""
    t = float(thickness_px)
    if t <= 0:
        return []
    t2 = t * t
    k3 = np.ones((3, 3), np.uint8)
    front = np.ones((2 * round(FRONT_T * t) + 1,) * 2, np.uint8)
    reach = max(1, round(FRONT_REACH_T * t))
    across = np.ones((2 * reach + 1,) * 2, np.uint8)
    # a wall's blurred edge reads as a line on an enlarged page: the rim near a wall is on it
    hug = np.ones((2 * max(1, round(WALL_HUG_T * t)) + 1,) * 2, np.uint8)
    run = max(3, round(STRAIGHT_T * t))
    rows, cols = np.ones((1, run), np.uint8), np.ones((run, 1), np.uint8)
    margin = round(FRONT_T * t) + 2
    out = []
    for ri, r in enumerate(regions):
        (x, y), room = r.crop_mask(walls.shape, margin)
        room = room > 0
        h, w = room.shape
        ln = lines[y : y + h, x : x + w]
        wl = walls[y : y + h, x : x + w]
        free = room & ~ln & ~wl
        n, lab, st, _ = cv2.connectedComponentsWithStats(free.view(np.uint8), connectivity=4)
        if n <= 2:
            continue
        body = 1 + int(st[1:, cv2.CC_STAT_AREA].argmax())
        room_area = max(float(room.sum()), 1.0)
        pieces = []
        for i in range(1, n):
            if i == body or st[i, cv2.CC_STAT_AREA] < MIN_PIECE_T2 * t2:
                continue
            # the piece's box and the band in front of it: every measure below fits in it
            px, py, pw, ph = (int(v) for v in st[i, :4])
            x0, y0 = max(px - margin, 0), max(py - margin, 0)
            x1, y1 = min(px + pw + margin, w), min(py + ph + margin, h)
            sub = (slice(y0, y1), slice(x0, x1))
            pm = lab[sub] == i
            dt = cv2.distanceTransform(pm.view(np.uint8), cv2.DIST_L2, 3)
            width = 2.0 * float(dt.max()) / t
            if width >= MIN_PIECE_WIDTH_T:
                pieces.append((i, sub, pm, width))
        for i, sub, pm, width in pieces:
            a = float(st[i, cv2.CC_STAT_AREA])
            rm, ln_s, wl_s = room[sub], ln[sub], wl[sub]
            cs, _ = cv2.findContours(pm.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            c = max(cs, key=cv2.contourArea)
            (_, _), (rw, rh), _ = cv2.minAreaRect(c)
            outline = np.zeros(pm.shape, np.uint8)
            cv2.drawContours(outline, [c], -1, 1, cv2.FILLED)
            filled = outline > 0
            ring = (cv2.dilate(outline, k3) > 0) & ~filled
            ring_n = max(int(ring.sum()), 1)
            on_wall = ring & (cv2.dilate(wl_s.view(np.uint8), hug) > 0)
            holes = filled & ~pm & ~ln_s  # enclosed floor inside the piece's outline
            nh, _ = cv2.connectedComponents(holes.view(np.uint8))
            band = (cv2.dilate(outline, front) > 0) & ~filled & rm & ~wl_s
            band_n = max(int(band.sum()), 1)
            # the front: rim pixels with the room's other floor within reach across a line
            other = rm & ~wl_s & ~ln_s & ~pm
            near_other = cv2.dilate(other.view(np.uint8), across) > 0
            pm8 = pm.view(np.uint8)
            grown = cv2.dilate(pm8, k3) > 0
            face = grown & ~pm & near_other & ~wl_s
            face_n = int(face.sum())
            flen = fdepth = 0.0
            if face_n >= 3:
                pts = np.column_stack(np.nonzero(face)[::-1]).astype(np.float32)
                (_, _), (fa, fb), _ = cv2.minAreaRect(pts)
                flen, fdepth = max(fa, fb) / t, min(fa, fb) / t
            # door arcs and bifold zigzags are the marks in front that are not straight runs
            ahead = (cv2.dilate(pm8, front) > 0) & ~pm & near_other & rm & ~wl_s
            ahead_n = max(int(ahead.sum()), 1)
            ln8 = ln_s.view(np.uint8)
            straight = (
                cv2.morphologyEx(ln8, cv2.MORPH_OPEN, rows)
                | cv2.morphologyEx(ln8, cv2.MORPH_OPEN, cols)
            ) > 0
            ring_pm = max(int((grown & ~pm).sum()), 1)
            out.append(
                Piece(
                    ri,
                    (x + sub[1].start, y + sub[0].start),
                    pm,
                    np.array(
                        [
                            np.log(a / t2),
                            a / room_area,
                            width,
                            max(rw, rh) / max(min(rw, rh), 1.0),
                            a / max(rw * rh, 1.0),
                            float(on_wall.sum()) / ring_n,
                            float((ring & ln_s & ~on_wall).sum()) / ring_n,
                            float((filled & ln_s).sum()) / max(float(filled.sum()), 1.0),
                            float(nh - 1),
                            float((band & ln_s).sum()) / band_n,
                            float(len(pieces)),
                            np.log(room_area / t2),
                            face_n / ring_pm,
                            flen,
                            fdepth,
                            float((ahead & ln_s & ~straight).sum()) / ahead_n,
                            float((ahead & straight).sum()) / ahead_n,
                        ]
                    ),
                )
            )
    return out


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> Forest:
    """The shipped closet forest (read once)."""
    return Forest.load(path, FEATURES)


def _region_of(
    mask: np.ndarray, origin: tuple[int, int], walls_crop, outside_crop
) -> Region | None:
    cs, _ = cv2.findContours(mask.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not cs:
        return None
    c = max(cs, key=cv2.contourArea).reshape(-1, 2)
    k3 = np.ones((3, 3), np.uint8)
    ry, rx = c[:, 1], c[:, 0]
    wall = float((cv2.dilate(walls_crop.view(np.uint8), k3) > 0)[ry, rx].mean())
    out = float((cv2.dilate(outside_crop.view(np.uint8), k3) > 0)[ry, rx].mean())
    return Region(c.astype(np.float64) + np.array(origin), float(mask.sum()), wall, out)


def split_closets(
    regions: list[Region],
    *,
    walls: np.ndarray,
    lines: np.ndarray,
    outside: np.ndarray,
    thickness_px: float,
    min_votes: float = 0.5,
    model: Forest | None = None,
) -> list[Region]:
    """`regions` with each accepted closet piece cut off its room as a region of its own."""
    pieces = closet_candidates(regions, walls=walls, lines=lines, thickness_px=thickness_px)
    if not pieces:
        return regions
    forest = model or load_model()
    votes = forest.predict_proba(np.array([p.features for p in pieces]))[:, 1]
    taken: dict[int, list[Piece]] = {}
    for p, v in zip(pieces, votes, strict=True):
        if v >= min_votes:
            taken.setdefault(p.room, []).append(p)
    if not taken:
        return regions
    k3 = np.ones((3, 3), np.uint8)
    out = []
    for ri, r in enumerate(regions):
        if ri not in taken:
            out.append(r)
            continue
        (x, y), rest = r.crop_mask(walls.shape, 1)
        rest = rest > 0
        h, w = rest.shape
        wc = walls[y : y + h, x : x + w]
        oc = outside[y : y + h, x : x + w]
        for p in taken[ri]:
            piece = np.zeros_like(rest)
            ys, xs = np.nonzero(p.mask)
            piece[ys + p.origin[1] - y, xs + p.origin[0] - x] = True
            # the room gives up the piece and the line fencing it
            rest &= ~(cv2.dilate(piece.view(np.uint8), k3, iterations=2) > 0)
            g = _region_of(piece, (x, y), wc, oc)
            if g is not None:
                out.append(g)
        n, lab, st, _ = cv2.connectedComponentsWithStats(rest.view(np.uint8), connectivity=4)
        if n > 1:
            body = lab == 1 + int(st[1:, cv2.CC_STAT_AREA].argmax())
            g = _region_of(body, (x, y), wc, oc)
            if g is not None:
                out.append(g)
    return out
