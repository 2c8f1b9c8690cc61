"""The room detector's stages: small pure functions over arrays, named for what they return.

Every length is measured in wall thicknesses (`thickness_px`, estimated from the plan by
`estimate_wall_thickness`), so the same stages work on a 600 px scan and a 24 MP drawing.
`detect_room_regions` at the bottom is the recipe that chains them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# --------------------------------------------------------------------------- pixels in


def to_grey8(image: np.ndarray) -> np.ndarray:
    """Any page array (grey, BGR, BGRA, 16-bit, float, bool) as uint8 grey, paper white.

    Colour pages are reduced to their brightest channel (see below), not to luminance.
    Alpha is composited on white paper (transparent = paper); 16-bit is scaled to 8 bits;
    floats are taken as [0, 1] when their maximum is at most 1, else as [0, 255].
    """
    img = np.asarray(image)
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.dtype != np.uint8:
        f = img.astype(np.float32)
        if img.dtype.kind == "f":
            peak = float(np.nanmax(f)) if f.size else 0.0
            f = np.nan_to_num(f) * (255.0 if peak <= 1.0 else 1.0)
        else:
            f = f * (255.0 / float(np.iinfo(img.dtype).max))
        img = np.clip(f, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        return img
    colour = img[:, :, :3]
    if img.shape[2] == 4:
        alpha = img[:, :, 3:4].astype(np.float32) / 255.0
        colour = (colour.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    if colour.shape[2] < 3:
        return np.ascontiguousarray(colour[:, :, 0])
    # The brightest channel: black ink stays black while coloured room fills (a plan's
    # pale yellows and browns) turn light, so fills are never mistaken for walls.
    b, g, r = cv2.split(np.ascontiguousarray(colour))
    return cv2.max(cv2.max(b, g), r)


def grey_percentiles(grey: np.ndarray, percents: tuple[float, ...]) -> list[int]:
    """Percentiles of a uint8 image's grey levels, from its histogram (fast, exact levels)."""
    if grey.size == 0:
        return [0 for _ in percents]
    cum = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    return [int(np.searchsorted(cum, p / 100.0 * cum[-1])) for p in percents]


def ink_mask(
    grey: np.ndarray, *, min_contrast: int, ignore: np.ndarray | None = None
) -> np.ndarray:
    """Dark strokes of the page (bool): grey below the Otsu threshold.

    The threshold is computed over the pixels not in `ignore` (e.g. the page background),
    so a large grey background does not push light-grey walls over to the paper's side.
    A page whose grey levels span less than `min_contrast` is blank: no ink at all.
    """
    lo, hi = grey_percentiles(grey, (0.5, 99.5))
    if hi - lo < min_contrast:
        return np.zeros(grey.shape, bool)
    sample = grey if ignore is None else grey[~ignore]
    if sample.size == 0:
        return np.zeros(grey.shape, bool)
    thresh, _ = cv2.threshold(sample.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return grey <= thresh  # Otsu puts levels <= thresh in the dark class


def line_mask(grey: np.ndarray, *, width_px: float, min_contrast: int) -> np.ndarray:
    """Thin drawn lines, however faint (bool): marks narrower than `width_px` that are darker
    than their surroundings by at least `min_contrast` / 2 (a black-hat transform).

    Window lines are often light grey and fall above the ink threshold, but they are here;
    flat fills (grey or coloured floors) are not lines, whatever their grey.
    """
    k = disk(max(3.0, width_px))
    closed = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, k)
    return cv2.subtract(closed, grey) >= min_contrast / 2


FLAT_LEVELS = 2  # grey levels a flat background colour may vary by
DARK_BACKGROUND_STROKE = 0.01  # a dark background's strokes thinner than this (page side)


def page_background(grey: np.ndarray, *, min_contrast: int, min_fraction: float) -> np.ndarray:
    """The page's flat non-paper background (bool), e.g. an occupancy map's unknown space.

    The most common grey on the page border, when darker than the paper (the page's bright
    end, its 99th percentile) by `min_contrast`, is a background colour when its 8-connected
    regions (within `FLAT_LEVELS` grey levels) that touch the border cover at least
    `min_fraction` of the page; those regions, and the other regions of that colour bigger
    than a tenth of `min_fraction` (courtyards, voids), are the background. It is never a
    room, and never a wall with ends.
    """
    edge = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    level = int(np.argmax(np.bincount(edge, minlength=256)))
    paper = grey_percentiles(grey, (99,))[0]
    if paper - level < min_contrast:
        return np.zeros(grey.shape, bool)
    flat = (np.abs(grey.astype(np.int16) - level) <= FLAT_LEVELS).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(flat, connectivity=8)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    area = stats[:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[border] = True
    if area[keep].sum() < min_fraction * grey.size:
        return np.zeros(grey.shape, bool)
    # the same colour enclosed by the building (courtyards, voids) is background too
    keep |= area >= min_fraction / 10 * grey.size
    keep[0] = False
    bg = keep[lab]
    ink_level, _ = cv2.threshold(grey.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level <= ink_level:
        # A background as dark as the ink (unknown space drawn in the walls' colour): the
        # walls run out of it as thin strokes, which are walls, not background. Its thin
        # parts (under `DARK_BACKGROUND_STROKE` of the page's side) are left to the ink.
        r = DARK_BACKGROUND_STROKE * min(grey.shape) / 2
        core = cv2.distanceTransform(bg.view(np.uint8), cv2.DIST_L2, 5) > r
        bg &= cv2.distanceTransform((~core).view(np.uint8), cv2.DIST_L2, 5) <= r
    return bg


def outlined_wall_fill(
    grey: np.ndarray,
    ink: np.ndarray,
    ignore: np.ndarray,
    *,
    max_width_px: float,
    min_contrast: int,
    min_rim_ink: float = 0.9,
) -> np.ndarray:
    """The insides of outlined walls (bool): bands of grey between ink outlines.

    Some plans draw walls as two dark outlines filled with a light grey that the ink
    threshold leaves on the paper's side, so each wall reads as two thin lines. Here a
    region clearly darker than the paper (by `min_contrast`) but not ink, nowhere wider than
    `max_width_px` (a wall, not a grey floor or a shaded room) and held between ink (at
    least `min_rim_ink` of its rim on ink; a stroke's anti-aliased halo has the paper on
    one side) is such a fill. Pixels in `ignore` (the page background) are never a fill.
    """
    paper = grey_percentiles(grey, (99,))[0]
    cand = (grey <= paper - min_contrast) & ~ink & ~ignore
    if not cand.any():
        return cand
    n, lab = cv2.connectedComponents(cand.view(np.uint8), connectivity=8)
    dt = cv2.distanceTransform(cand.view(np.uint8), cv2.DIST_L2, 5)
    widest = np.zeros(n, np.float32)
    np.maximum.at(widest, lab.ravel(), dt.ravel())
    # the rim of each region (pixels just outside it, labelled by a neighbour): an outline's
    # fill is held between ink, a stroke's grey halo borders the paper on one side
    near = cv2.dilate(lab.astype(np.float32), np.ones((3, 3), np.uint8)).astype(np.int64)
    rim = (near > 0) & ~cand
    total = np.bincount(near[rim], minlength=n)
    inked = np.bincount(near[rim & ink], minlength=n)
    keep = (inked >= min_rim_ink * np.maximum(total, 1)) & (2 * widest <= max_width_px)
    keep[0] = False
    return keep[lab]


def ridge_values(mask: np.ndarray) -> np.ndarray:
    """Distance-transform values on the medial ridge of `mask` (half stroke widths).

    A mask with no background pixel at all has no stroke width (OpenCV's transform is then
    unbounded): no ridge.
    """
    if mask.all():
        return np.zeros(0, np.float32)
    dt = cv2.distanceTransform(mask.view(np.uint8), cv2.DIST_L2, 5)
    peak = cv2.dilate(dt, np.ones((3, 3), np.uint8))
    return dt[(dt > 0) & (dt >= peak)]


def estimate_wall_thickness(
    ink: np.ndarray,
    *,
    quantile: float = 0.5,
    min_width_px: float = 0.0,
    ridge: np.ndarray | None = None,
) -> float:
    """Typical wall thickness of the plan in px (0 when there is no ink).

    Idea: every stroke puts its half-width on the ridge of the ink's distance transform.
    Weighting each ridge value by itself (≈ ink area per unit of stroke length) lets the
    thick, long walls outvote the many thin strokes of text and symbols; the weighted
    median of the ridge is half the wall thickness (a lower `quantile` gives the thinner
    walls: partitions rather than exterior walls). Strokes narrower than `min_width_px` (text,
    thin lines: not walls) can be left out of the count; `ridge` = `ridge_values(ink)` when
    already computed.
    """
    r = ridge_values(ink) if ridge is None else ridge
    if min_width_px > 0:
        r = r[r >= min_width_px / 2]
    if r.size == 0:
        return 0.0
    r = np.sort(r)
    cum = np.cumsum(r)
    half = r[min(r.size - 1, int(np.searchsorted(cum, cum[-1] * quantile)))]
    return float(2.0 * half)


def estimate_pen_width(
    ink: np.ndarray, *, thickness_px: float, ridge: np.ndarray | None = None
) -> float:
    """Width in px of the plan's thin strokes (text, dimension lines): 0 without ink.

    The median half-width on the ridge of the ink's distance transform, over strokes at most
    half a wall thick (`thickness_px`): the pen most of the drawing's lines are drawn with.
    Measured relative to the walls, it doubles when the plan is drawn twice as large.
    """
    r = ridge_values(ink) if ridge is None else ridge
    if r.size == 0:
        return 0.0
    thin = r[r <= thickness_px / 4]
    return float(2.0 * (np.median(thin) if thin.size else r.min()))


# --------------------------------------------------------------------------- walls


def disk(diameter_px: float) -> np.ndarray:
    """A disk structuring element `diameter_px` wide (rounded to whole pixels)."""
    d = max(1, round(diameter_px))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def thick_strokes(ink: np.ndarray, *, min_width_px: float) -> np.ndarray:
    """Ink strokes at least `min_width_px` wide (bool): walls, without text or symbols.

    An opening with a disk that fits inside walls but not inside thin strokes removes
    text, dimension lines, door arcs, furniture outlines and hatching.
    """
    return cv2.morphologyEx(ink.view(np.uint8), cv2.MORPH_OPEN, disk(min_width_px)) > 0


def drop_small_components(mask: np.ndarray, *, min_area_px: float) -> np.ndarray:
    """`mask` without its 8-connected components smaller than `min_area_px`."""
    _, lab, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area_px
    keep[0] = False
    return keep[lab]


def run_lengths(mask: np.ndarray, axis: int) -> np.ndarray:
    """For each True pixel, the length of the run of True it sits in along `axis` (else 0)."""
    m = np.moveaxis(mask, axis, -1)
    h, w = m.shape
    pad = np.zeros((h, w + 2), np.int8)
    pad[:, 1:-1] = m
    d = np.diff(pad, axis=1)
    starts = np.flatnonzero(d.ravel() == 1)
    ends = np.flatnonzero(d.ravel() == -1)
    # flat indices into the (h, w + 1) diff array: row r, column c -> r * (w + 1) + c
    lengths = ends - starts
    out = np.zeros(h * (w + 1) + 1, np.int32)
    out[starts] = lengths  # starts (and ends) are distinct flat indices: no accumulation
    out[ends] = -lengths
    out = np.cumsum(out)[:-1].reshape(h, w + 1)[:, :w]
    out = np.where(m, out, 0)
    return np.moveaxis(out, -1, axis)


def _run_index(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Where the runs of True start and end along each row of `mask`, as flat indices into
    rows of width + 1 (so runs never join across rows), and that row width."""
    h, w = mask.shape
    pad = np.zeros((h, w + 2), np.int8)
    pad[:, 1:-1] = mask
    d = np.diff(pad, axis=1).ravel()  # +1 where a run starts, -1 just past its end
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1), w + 1


def _runs_at(index: tuple[np.ndarray, np.ndarray, int], ys: np.ndarray, xs: np.ndarray):
    """Length of the run through each True pixel (ys, xs), from a `_run_index`."""
    starts, ends, stride = index
    k = np.searchsorted(starts, ys * stride + xs, side="right") - 1
    return ends[k] - starts[k]


SQUARE_END_KEEP = 0.75  # share of its thickness a wall end keeps one thickness back


def _square_end(
    walls: np.ndarray,
    col_runs: tuple[np.ndarray, np.ndarray, int],
    ends: np.ndarray,
    across: np.ndarray,
    back: int,
) -> np.ndarray:
    """Whether each wall end (flat index `ends` of a row-wise free end, `across` thick) is
    square: the wall one thickness further back (direction `back` along the row) is still
    at least `SQUARE_END_KEEP` as thick. A dimension line's arrowhead, or a wedge, narrows
    back towards the wall it hangs from; a jamb does not.
    """
    w = walls.shape[1]
    ys, xs = np.divmod(ends, w)
    bx = np.clip(xs + back * across, 0, w - 1)
    ok = walls[ys, bx]
    runs = np.zeros(ends.size, np.int64)
    runs[ok] = _runs_at(col_runs, bx[ok], ys[ok])
    return ok & (runs >= SQUARE_END_KEEP * across)


def _lines_across(
    line_starts: np.ndarray,
    col_runs: tuple[np.ndarray, np.ndarray, int],
    ends: np.ndarray,
    xs: np.ndarray,
    w: int,
    tol_px: int,
) -> np.ndarray:
    """How many separate lines cross column `xs` within the band of each wall end (flat
    index `ends`), widened by `tol_px` each side. `line_starts` is, transposed, the running
    count down each column of the pixels where a line starts."""
    ys, xe = np.divmod(ends, w)
    starts, stops, stride = col_runs
    k = np.searchsorted(starts, xe * stride + ys, side="right") - 1
    h = line_starts.shape[1]
    top = np.clip(starts[k] - xe * stride - tol_px, 0, h - 1)
    bottom = np.clip(stops[k] - xe * stride - 1 + tol_px, 0, h - 1)
    above = np.where(top > 0, line_starts[xs, np.maximum(top - 1, 0)], 0)
    return line_starts[xs, bottom] - above


def _row_bridges(
    walls: np.ndarray,
    walls_t: np.ndarray,
    lines: np.ndarray,
    *,
    max_gap_px: float,
    max_lined_gap_px: float,
    min_end_px: float,
    max_end_px: float,
    max_facing_gap_px: float,
    jamb_match: float,
    window_lines: int,
    raw_lines: np.ndarray,
    line_tolerance_px: int,
) -> np.ndarray:
    """Bridges along rows from the free ends of horizontal walls (see `opening_bridges`).

    A free end is a wall pixel with free space beside it along the row, on a horizontal
    stretch (run along the row >= run across it) whose band is between `min_end_px` (a bump
    where a thin line meets a wall is not an end) and `max_end_px` thick (the outer face of
    a corner is not an end), and square (`_square_end`: not an arrowhead). Its ray is a
    bridge when the next wall along the row is at most `max_gap_px` away, or at most
    `max_lined_gap_px` away with every pixel of the gap on a drawn line and at least
    `window_lines` separate lines of `raw_lines` across the band at the gap's middle (one
    is enough between facing ends of one wall). Rays are searched on the sorted flat
    indices of the wall pixels, so the cost grows with the number of ends, not of pixels.
    """
    h, w = walls.shape
    line_starts = None  # counted when a lined gap needs it
    free_right = np.zeros_like(walls)
    free_right[:, :-1] = ~walls[:, 1:]
    free_left = np.zeros_like(walls)
    free_left[:, 1:] = ~walls[:, :-1]
    wall_idx = np.flatnonzero(walls)
    lined_cum = np.concatenate([[0], np.cumsum(lines.ravel(), dtype=np.int64)])
    row_runs, col_runs = _run_index(walls), _run_index(walls_t)
    starts, stops = [], []
    for side, free_side in ((1, free_right), (-1, free_left)):
        f = np.flatnonzero(walls & free_side)
        if f.size == 0:
            continue
        ys, xs = np.divmod(f, w)
        along = _runs_at(row_runs, ys, xs)
        across = _runs_at(col_runs, xs, ys)
        stretch = (along >= across) & (across >= min_end_px)
        f = f[stretch]
        jamb = ((along > across) & (across <= max_end_px))[stretch]
        across = across[stretch]
        jamb &= _square_end(walls, col_runs, f, across, -side)
        if side == 1:
            k = np.searchsorted(wall_idx, f + 1)
            ok = k < wall_idx.size
            hit = wall_idx[np.minimum(k, wall_idx.size - 1)]
            lo, hi = f + 1, hit  # gap pixels [lo, hi)
        else:
            k = np.searchsorted(wall_idx, f) - 1
            ok = k >= 0
            hit = wall_idx[np.maximum(k, 0)]
            lo, hi = hit + 1, f
        ok &= hit // w == f // w  # the next wall is on the same row
        gap = hi - lo
        lined = lined_cum[hi] - lined_cum[lo] == gap
        # Two ends of one wall facing each other across the gap (the far end a jamb as
        # thick as the near one) are an opening in that wall, up to a double door wide.
        hy, hx = np.divmod(hit, w)
        h_along = _runs_at(row_runs, hy, hx)
        h_across = _runs_at(col_runs, hx, hy)
        facing = jamb & (h_along > h_across) & (h_across >= min_end_px) & (h_across <= max_end_px)
        facing &= _square_end(walls, col_runs, hit, h_across, side)
        facing &= (h_across <= jamb_match * across) & (across <= jamb_match * h_across)
        # A window is glazing between the wall's two faces: two or more lines across the
        # band. One line on the ray is a furniture or fitting edge that continues the wall,
        # unless the far side is the same wall again (a wall drawn thin for a stretch).
        check = lined & ~facing & (gap <= max_lined_gap_px)
        if window_lines > 1 and check.any():
            if line_starts is None:
                first = raw_lines.copy()
                first[1:] &= ~raw_lines[:-1]
                line_starts = np.ascontiguousarray(np.cumsum(first, axis=0, dtype=np.int32).T)
            mid = (lo[check] + hi[check]) // 2 % w
            glazed = _lines_across(line_starts, col_runs, f[check], mid, w, line_tolerance_px)
            lined[check] = glazed >= window_lines
        ok &= (
            (jamb & (gap <= max_gap_px))
            | (facing & (gap <= max_facing_gap_px))
            | (lined & (gap <= max_lined_gap_px))
        )
        starts.append(lo[ok])
        stops.append(hi[ok])
    if not starts:
        return np.zeros_like(walls)
    n = h * w + 1
    diff = np.bincount(np.concatenate(starts), minlength=n) - np.bincount(
        np.concatenate(stops), minlength=n
    )
    return (np.cumsum(diff[:-1]) > 0).reshape(h, w)


def opening_bridges(
    walls: np.ndarray,
    lines: np.ndarray,
    *,
    max_gap_px: float,
    max_lined_gap_px: float,
    min_end_px: float,
    max_end_px: float,
    max_facing_gap_px: float = 0.0,
    jamb_match: float = 1.5,
    window_lines: int = 1,
    raw_lines: np.ndarray | None = None,
    line_tolerance_px: int = 0,
) -> np.ndarray:
    """Short wall pieces (bool) that close doorways, windows and gaps between wall ends.

    Idea: the free end of a straight wall that points at another wall no further than a
    door's width away is the jamb of an opening; the ground truth (and a person) closes the
    opening with the wall's own band. A longer gap is closed when thin lines (`lines`, e.g.
    a window's) span it, or up to `max_facing_gap_px` when the far side is the end of a
    wall as thick as the near one (within `jamb_match` times): an opening in one wall, a
    double or sliding door. Rays are cast from each free end along its wall, both ways, for
    horizontal and vertical walls.
    """
    kw = {
        "max_gap_px": max_gap_px,
        "max_lined_gap_px": max_lined_gap_px,
        "min_end_px": min_end_px,
        "max_end_px": max_end_px,
        "max_facing_gap_px": max_facing_gap_px,
        "jamb_match": jamb_match,
        "window_lines": window_lines,
        "line_tolerance_px": line_tolerance_px,
    }
    raw = lines if raw_lines is None else raw_lines
    walls_t = np.ascontiguousarray(walls.T)
    rows = _row_bridges(walls, walls_t, lines, raw_lines=raw, **kw)
    cols = _row_bridges(
        walls_t,
        walls,
        np.ascontiguousarray(lines.T),
        raw_lines=np.ascontiguousarray(raw.T),
        **kw,
    ).T
    return (rows | cols) & ~walls


# --------------------------------------------------------------------------- rooms


def close_by_distance(mask: np.ndarray, *, radius_px: float) -> np.ndarray:
    """Morphological closing of `mask` by a disk of radius `radius_px` (bool), computed with
    two distance transforms: as exact as a disk kernel, and its cost does not grow with it."""
    if radius_px <= 0 or not mask.any():
        return mask.copy()
    near = cv2.distanceTransform((~mask).view(np.uint8), cv2.DIST_L2, 5) <= radius_px
    return (cv2.distanceTransform(near.view(np.uint8), cv2.DIST_L2, 5) > radius_px) | mask


def outside_mask(
    barriers: np.ndarray, lines: np.ndarray | None = None, *, seal_px: float
) -> np.ndarray:
    """The building's outside (bool): free space reachable from the page border.

    Before flooding, the barriers are closed with a disk `seal_px` wide, which seals small
    gaps in the outer wall that the doorway stage left open; the flood may not cross drawn
    `lines` either (windows, bays, glazed walls), but those are not closed: closing text
    and symbols would wall in the space around them. The page is free beyond its edge (a
    margin as wide as the seal is added before closing), so a strip between the building
    and the page edge narrower than the seal is outside, not closed into a room.
    """
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
    """Narrow passages of the free space that join two rooms (bool): doorways the bridges
    missed (diagonal walls, double doors, doors beside thin partitions).

    Idea: the bodies of rooms are where a disk `neck_px` wide fits (a morphological opening,
    computed with two distance transforms). What the disk cannot reach is the rest: corners,
    narrow rooms, corridors and the necks between bodies. A rest part that touches two or
    more bodies and is smaller than `max_area_px` is a neck; a bigger one is a corridor.
    """
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
    """
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
    """`poly` (N x 2) moved `distance` outward along its edges' normals (mitred corners)."""
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


# --------------------------------------------------------------------------- wall ends


@dataclass(frozen=True)
class WallEnds:
    """Free ends of walls, at any angle: tips (N x 2, x y), outward unit directions (N x 2)
    and the thickness of the wall at each end (N, px)."""

    tips: np.ndarray
    directions: np.ndarray
    widths: np.ndarray


def wall_ends(walls: np.ndarray, *, reach_px: float, max_end_px: float) -> WallEnds:
    """Where walls stop in free space, read from their outlines (bool mask in).

    Idea: walking along a wall's outline, a free end is a hairpin: the outline runs out
    along one face, turns round the end and comes back along the other face, so the points
    `reach_px` before and after the tip both lie back along the wall, close together (the
    wall's thickness apart, at most `max_end_px`) and in the same direction. The middle of
    each run of hairpin points is the tip; the direction from the two faces' midpoint to the
    tip is the wall's own direction, whatever its angle (scans, slanted and diagonal walls).
    Corners turn the outline by 90 degrees, not 180, so they are not ends.
    """
    k = max(2, round(reach_px))
    cs, _ = cv2.findContours(walls.view(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    cs = [c for c in cs if len(c) >= 2 * k + 1]
    tips, dirs, widths = [], [], []
    if cs:
        # every outline at once: the points k steps before and after each point
        sizes = np.array([len(c) for c in cs])
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        p = np.concatenate(cs).reshape(-1, 2).astype(np.float64)
        cid = np.repeat(np.arange(len(cs)), sizes)
        pos = np.arange(len(p)) - first[cid]
        prev = p[first[cid] + (pos - k) % sizes[cid]]
        nxt = p[first[cid] + (pos + k) % sizes[cid]]
        a, b = prev - p, nxt - p
        la, lb = np.hypot(a[:, 0], a[:, 1]), np.hypot(b[:, 0], b[:, 1])
        width = np.hypot(*(prev - nxt).T)
        back = (prev + nxt) / 2 - p
        lback = np.hypot(back[:, 0], back[:, 1])
        # both faces lie back along the wall: the two arms nearly parallel (within ~37
        # degrees), the wall there no thicker than an end, and long enough behind the tip
        pin = np.sum(a * b, axis=1) >= 0.8 * la * lb
        pin &= (width <= max_end_px) & (lback >= k / 2)
        for i in np.unique(cid[pin]):
            lo, n = first[i], sizes[i]
            f = pin[lo : lo + n]
            if f.all():
                continue  # a speck or a loop: no end
            # runs of hairpin points along the (cyclic) outline: the middle of each is a tip
            start = np.flatnonzero(~f)[0] + 1  # rotate so that no run wraps round
            order = (np.arange(n) + start) % n
            d = np.diff(np.concatenate([[0], f[order].astype(np.int8), [0]]))
            r0, r1 = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
            mid = lo + order[(r0 + r1 - 1) // 2]
            tips.append(p[mid])
            dirs.append(-back[mid] / lback[mid, None])
            widths.append(width[mid] + 1.0)  # pixel centres to pixel edges
    if not tips:
        z = np.zeros((0, 2))
        return WallEnds(z, z, np.zeros(0))
    return WallEnds(np.concatenate(tips), np.concatenate(dirs), np.concatenate(widths))


def facing_end_bridges(
    walls: np.ndarray,
    *,
    min_end_px: float,
    max_end_px: float,
    max_gap_px: float,
    jamb_match: float,
    max_angle_deg: float = 30.0,
    max_lone_gap_px: float = 0.0,
    depth_ratio: float = 0.5,
    bridges: np.ndarray | None = None,
) -> np.ndarray:
    """Bridges (bool) across gaps between two facing ends of one wall, at any angle.

    The row-and-column rays of `opening_bridges` need both ends on one pixel row; a scanned
    wall is ragged (its ends a pixel or two apart across the wall) and slanted or diagonal
    walls have no row at all. Here two ends of `wall_ends` are the two jambs of an opening
    in one wall when each points at the other (directions opposite within `max_angle_deg`,
    each tip within the other's wall band, across the line of the wall), they are alike in
    thickness (within `jamb_match` times), at most `max_gap_px` apart, the gap between
    them is free, and each is the other's nearest such end. The bridge is the wall band
    drawn from tip to tip.
    """
    h, w = walls.shape
    out = np.zeros((h, w), np.uint8)
    ends = wall_ends(walls, reach_px=2 * max_end_px, max_end_px=max_end_px)
    p, u, wd = ends.tips, ends.directions, ends.widths
    ok = (wd >= min_end_px) & (wd <= max_end_px + 1)
    p, u, wd = p[ok], u[ok], wd[ok]
    n = len(p)
    v = p[None, :, :] - p[:, None, :]  # from end i to end j
    dist = np.linalg.norm(v, axis=2)
    along = np.einsum("ijk,ik->ij", v, u)  # j ahead of i along i's wall
    across = np.abs(v[:, :, 0] * u[:, None, 1] - v[:, :, 1] * u[:, None, 0])
    cos = np.cos(np.radians(max_angle_deg))
    band = (wd[:, None] + wd[None, :]) / 2 + 1
    pair = (along > 0) & (along <= max_gap_px) & (across <= band)
    pair &= (u @ u.T) <= -cos
    pair &= (wd[:, None] <= jamb_match * wd[None, :]) & (wd[None, :] <= jamb_match * wd[:, None])
    pair &= pair.T
    dist = np.where(pair, dist, np.inf)
    best = np.argmin(dist, axis=1) if n else np.zeros(0, np.int64)
    paired = np.zeros(n, bool)
    for i in range(n):
        j = best[i]
        if j <= i or not np.isfinite(dist[i, j]) or best[j] != i:
            continue
        a, b = p[i], p[j]
        # the gap must be free: no wall between the tips (beyond their own pixels)
        m = max(2, int(np.ceil(dist[i, j])))
        s = np.linspace(0, 1, m + 1)[1:-1]
        xs = np.round(a[0] + s * (b[0] - a[0])).astype(int)
        ys = np.round(a[1] + s * (b[1] - a[1])).astype(int)
        inner = (s * dist[i, j] > 1.5) & ((1 - s) * dist[i, j] > 1.5)
        if walls[ys[inner], xs[inner]].any():
            continue
        thick = max(1, round(min(wd[i], wd[j])))
        cv2.line(
            out,
            tuple(int(c) for c in np.round(a)),
            tuple(int(c) for c in np.round(b)),
            1,
            thickness=thick,
        )
        paired[i] = paired[j] = True
    if max_lone_gap_px > 0:
        lone = ~paired
        barriers = walls if bridges is None else walls | bridges
        _lone_end_rays(
            out, walls, barriers, p[lone], u[lone], wd[lone], max_lone_gap_px, depth_ratio
        )
    return (out > 0) & ~walls


def _march(walls: np.ndarray, p: np.ndarray, u: np.ndarray, length: int) -> np.ndarray:
    """Distance (px) from each point `p` along unit `u` to the first wall pixel after the
    first free one, up to `length` (inf when none, or when the ray leaves the page)."""
    h, w = walls.shape
    s = np.arange(1, length + 1, dtype=np.float64)
    xs = np.round(p[:, None, 0] + s[None, :] * u[:, None, 0]).astype(np.int64)
    ys = np.round(p[:, None, 1] + s[None, :] * u[:, None, 1]).astype(np.int64)
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    wall = np.ones(xs.shape, bool)
    wall[inside] = walls[ys[inside], xs[inside]]
    freed = np.cumsum(~wall, axis=1) > 0
    hit = wall & freed
    first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1)
    d = np.where(first >= 0, s[np.maximum(first, 0)], np.inf)
    out_of_page = ~inside & freed
    left = np.where(out_of_page.any(axis=1), np.argmax(out_of_page, axis=1), length)
    d[(first >= 0) & (left < first)] = np.inf
    return d


def _lone_end_rays(
    out: np.ndarray,
    walls: np.ndarray,
    barriers: np.ndarray,
    p: np.ndarray,
    u: np.ndarray,
    wd: np.ndarray,
    max_gap_px: float,
    depth_ratio: float,
) -> None:
    """Draw into `out` the rays from lone wall ends (tips `p`, directions `u`) to the next
    wall ahead, when that gap is a doorway: at most `max_gap_px`, and a constriction
    between two spaces. On each side, half the gap in from its middle, the space must be
    at least as deep as the gap (free across it up to `barriers`) and wider than it: its
    free width along the gap at least the gap / `depth_ratio`. A ray across a corridor or
    into a nook as wide as itself is not a doorway; a door into a room or a corridor is.
    """
    if len(p) == 0:
        return
    # three parallel rays across the end's band (a ragged wall's direction is read to a
    # few degrees): the gap is the nearest wall any of them meets
    length = int(np.ceil(max_gap_px))
    nrm = np.stack([-u[:, 1], u[:, 0]], axis=1)
    half = np.maximum(1.0, wd / 2)[:, None]
    m = len(p)
    starts = np.concatenate([p - half * nrm, p, p + half * nrm])
    rays = _march(walls, starts, np.concatenate([u, u, u]), length).reshape(3, m)
    g = np.min(rays, axis=0)
    off = np.argmin(rays, axis=0) - 1
    ok = np.isfinite(g)
    if not ok.any():
        return
    p, u, wd, g, off, half = p[ok], u[ok], wd[ok], g[ok], off[ok], half[ok]
    nrm = nrm[ok]
    hit = p + off[:, None] * half * nrm + u * g[:, None]
    mid = p + u * (g[:, None] / 2)
    need = g / depth_ratio
    reach = int(np.ceil(max(need.max(), g.max())))
    # on each side (+nrm, -nrm): the depth from the middle, and the width half a gap in
    q1, q2 = mid + nrm * (g[:, None] / 2), mid - nrm * (g[:, None] / 2)
    pts = np.concatenate([mid, mid, q1, q1, q2, q2])
    dirs = np.concatenate([nrm, -nrm, u, -u, u, -u])
    d = _march_free(barriers, pts, dirs, reach).reshape(6, -1)
    ok = (d[0] >= g) & (d[1] >= g)
    ok &= (d[2] + d[3] + 1 >= need) & (d[4] + d[5] + 1 >= need)
    for a, b, wi in zip(p[ok], hit[ok], wd[ok], strict=True):
        cv2.line(
            out,
            tuple(int(c) for c in np.round(a)),
            tuple(int(c) for c in np.round(b)),
            1,
            thickness=max(1, round(wi)),
        )


def _march_free(walls: np.ndarray, p: np.ndarray, u: np.ndarray, length: int) -> np.ndarray:
    """Free distance (px) from each point `p` along unit `u` to the first wall pixel (or
    the page's edge), up to `length` (then `length`)."""
    h, w = walls.shape
    s = np.arange(1, length + 1, dtype=np.float64)
    xs = np.round(p[:, None, 0] + s[None, :] * u[:, None, 0]).astype(np.int64)
    ys = np.round(p[:, None, 1] + s[None, :] * u[:, None, 1]).astype(np.int64)
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    wall = np.ones(xs.shape, bool)
    wall[inside] = walls[ys[inside], xs[inside]]
    first = np.where(wall.any(axis=1), np.argmax(wall, axis=1), length)
    return np.asarray(first, np.float64)
