"""Openings between wall ends along pixel rows and columns: doorways, windows, double doors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import require_mask


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


@dataclass(frozen=True)
class OpeningGeometry:
    """The sizes (px, at working resolution) that decide which gaps between walls are openings.

    Attributes
    ----------
    max_gap_px : float
        Widest doorway closed from a jamb (a free, square wall end).
    max_lined_gap_px : float
        Widest gap closed when drawn lines span it (a window).
    min_end_px, max_end_px : float
        Thinnest and thickest wall band whose end is a jamb: a bump where a thin line meets
        a wall is not an end, nor is the outer face of a corner.
    max_facing_gap_px : float
        Widest gap closed between two facing jambs of one wall (a double or sliding door).
    jamb_match : float
        Two facing jambs are of one wall when their thicknesses are within this ratio.
    window_lines : int
        Separate lines a window's band must carry across its middle (1: any line).
    line_tolerance_px : int
        Lines this far outside the wall band still count as across it.
    """

    max_gap_px: float
    max_lined_gap_px: float
    min_end_px: float
    max_end_px: float
    max_facing_gap_px: float = 0.0
    jamb_match: float = 1.5
    window_lines: int = 1
    line_tolerance_px: int = 0


def _row_bridges(
    walls: np.ndarray,
    walls_t: np.ndarray,
    lines: np.ndarray,
    raw_lines: np.ndarray,
    geometry: OpeningGeometry,
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
    `walls_t` is `walls` transposed (contiguous), for the runs across each row.
    """
    g = geometry
    h, w = walls.shape
    line_starts = None  # counted when a lined gap needs it
    free_right = np.zeros_like(walls)
    free_right[:, :-1] = ~walls[:, 1:]
    free_left = np.zeros_like(walls)
    free_left[:, 1:] = ~walls[:, :-1]
    wall_idx = np.flatnonzero(walls)
    lined_cum = np.zeros(h * w + 1, np.int32)  # int32: a page has far fewer than 2**31 px
    np.cumsum(lines.ravel(), dtype=np.int32, out=lined_cum[1:])
    row_runs, col_runs = _run_index(walls), _run_index(walls_t)
    starts, stops = [], []
    for side, free_side in ((1, free_right), (-1, free_left)):
        f = np.flatnonzero(walls & free_side)
        if f.size == 0:
            continue
        ys, xs = np.divmod(f, w)
        along = _runs_at(row_runs, ys, xs)
        across = _runs_at(col_runs, xs, ys)
        stretch = (along >= across) & (across >= g.min_end_px)
        f = f[stretch]
        jamb = ((along > across) & (across <= g.max_end_px))[stretch]
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
        facing = (
            jamb & (h_along > h_across) & (h_across >= g.min_end_px) & (h_across <= g.max_end_px)
        )
        facing &= _square_end(walls, col_runs, hit, h_across, side)
        facing &= (h_across <= g.jamb_match * across) & (across <= g.jamb_match * h_across)
        # A window is glazing between the wall's two faces: two or more lines across the
        # band. One line on the ray is a furniture or fitting edge that continues the wall,
        # unless the far side is the same wall again (a wall drawn thin for a stretch).
        check = lined & ~facing & (gap <= g.max_lined_gap_px)
        if g.window_lines > 1 and check.any():
            if line_starts is None:
                first = raw_lines.copy()
                first[1:] &= ~raw_lines[:-1]
                # transposed as bytes, then summed along rows: 5x cheaper than transposing
                # the int32 sums
                line_starts = np.cumsum(np.ascontiguousarray(first.T), axis=1, dtype=np.int32)
            mid = (lo[check] + hi[check]) // 2 % w
            glazed = _lines_across(line_starts, col_runs, f[check], mid, w, g.line_tolerance_px)
            lined[check] = glazed >= g.window_lines
        ok &= (
            (jamb & (gap <= g.max_gap_px))
            | (facing & (gap <= g.max_facing_gap_px))
            | (lined & (gap <= g.max_lined_gap_px))
        )
        starts.append(lo[ok])
        stops.append(hi[ok])
    out = np.zeros(h * w, bool)
    if starts:
        # Paint each gap [lo, hi) of the flat page: the gaps hold a few thousand pixels, so
        # indexing them beats a running sum over the whole page.
        lo, hi = np.concatenate(starts), np.concatenate(stops)
        size = hi - lo
        first = np.cumsum(size) - size  # each gap's first place in the run of all of them
        out[np.arange(int(size.sum())) + np.repeat(lo - first, size)] = True
    return out.reshape(h, w)


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
    """Short wall pieces that close doorways, windows and gaps between wall ends.

    Idea: the free end of a straight wall that points at another wall no further than a
    door's width away is the jamb of an opening; the ground truth (and a person) closes the
    opening with the wall's own band. A longer gap is closed when thin lines (`lines`, e.g.
    a window's) span it, or up to `max_facing_gap_px` when the far side is the end of a
    wall as thick as the near one (within `jamb_match` times): an opening in one wall, a
    double or sliding door. Rays are cast from each free end along its wall, both ways, for
    horizontal and vertical walls.

    Parameters
    ----------
    walls : (H, W) bool ndarray
        The wall mask.
    lines : (H, W) bool ndarray
        Drawn thin lines a lined gap must lie on (possibly widened by a tolerance).
    max_gap_px, max_lined_gap_px, min_end_px, max_end_px, max_facing_gap_px : float
        Lengths in px; see `OpeningGeometry`.
    jamb_match : float
        Ratio within which two facing jambs are alike in thickness.
    window_lines : int
        Separate lines of `raw_lines` a window needs across its band (1: any line).
    raw_lines : (H, W) bool ndarray, optional
        The lines as drawn, for counting them across a window (default: `lines`).
    line_tolerance_px : int
        How far outside the band a counted line may lie, in px.

    Returns
    -------
    bridges : (H, W) bool ndarray
        The bridge pixels, never on `walls`.
    """
    require_mask(walls, "walls")
    require_mask(lines, "lines")
    raw = lines if raw_lines is None else raw_lines
    require_mask(raw, "raw_lines")
    geometry = OpeningGeometry(
        max_gap_px=max_gap_px,
        max_lined_gap_px=max_lined_gap_px,
        min_end_px=min_end_px,
        max_end_px=max_end_px,
        max_facing_gap_px=max_facing_gap_px,
        jamb_match=jamb_match,
        window_lines=window_lines,
        line_tolerance_px=line_tolerance_px,
    )
    walls_t = np.ascontiguousarray(walls.T)
    rows = _row_bridges(walls, walls_t, lines, raw, geometry)
    cols = _row_bridges(
        walls_t, walls, np.ascontiguousarray(lines.T), np.ascontiguousarray(raw.T), geometry
    ).T
    return (rows | cols) & ~walls
