"""Walls: the plan's wall thickness and pen width, read from the ink, and the thick strokes
that are walls.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._checks import require_mask
from .morphology import disk

MIN_LETTERS = 3  # letters side by side that make a word (`lettering`)


def ridge_values(mask: np.ndarray) -> np.ndarray:
    """Distance-transform values on the medial ridge of `mask` (half stroke widths).

    A mask with no background pixel at all has no stroke width (OpenCV's transform is then
    unbounded): no ridge.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The strokes (ink).

    Returns
    -------
    ridge : (N,) float32 ndarray
        Half stroke widths in px, one per ridge pixel.
    """
    require_mask(mask, "mask")
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
    walls: partitions rather than exterior walls).

    Parameters
    ----------
    ink : (H, W) bool ndarray
        The ink.
    quantile : float
        Area-weighted quantile of the stroke widths, in [0, 1] (0.5: the typical wall).
    min_width_px : float
        Strokes narrower than this, in px (text, thin lines: not walls), are not counted.
    ridge : (N,) ndarray, optional
        `ridge_values(ink)` when already computed.

    Returns
    -------
    thickness_px : float
        The wall thickness in px; 0 without ink.
    """
    require_mask(ink, "ink")
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

    Parameters
    ----------
    ink : (H, W) bool ndarray
        The ink.
    thickness_px : float
        The plan's wall thickness in px (`estimate_wall_thickness`).
    ridge : (N,) ndarray, optional
        `ridge_values(ink)` when already computed.

    Returns
    -------
    pen_px : float
        The pen width in px; 0 without ink.
    """
    require_mask(ink, "ink")
    r = ridge_values(ink) if ridge is None else ridge
    if r.size == 0:
        return 0.0
    thin = r[r <= thickness_px / 4]
    return float(2.0 * (np.median(thin) if thin.size else r.min()))


def thick_strokes(ink: np.ndarray, *, min_width_px: float) -> np.ndarray:
    """Ink strokes at least `min_width_px` wide: walls, without text or symbols.

    An opening with a disk that fits inside walls but not inside thin strokes removes
    text, dimension lines, door arcs, furniture outlines and hatching.

    Parameters
    ----------
    ink : (H, W) bool ndarray
        The ink.
    min_width_px : float
        Thinnest stroke kept, in px.

    Returns
    -------
    walls : (H, W) bool ndarray
        The strokes at least `min_width_px` wide.
    """
    require_mask(ink, "ink")
    return cv2.morphologyEx(ink.view(np.uint8), cv2.MORPH_OPEN, disk(min_width_px)) > 0


def lettering(
    walls: np.ndarray, *, thickness_px: float, min_letters: int = MIN_LETTERS
) -> np.ndarray:
    """The blobs of `walls` that are bold lettering: letters side by side in a word.

    Bold room names on a thin-walled plan are as thick as its walls and survive the opening
    of `thick_strokes`; left in the walls, a name splits its room at the necks between its
    letters and the walls. A letter is a blob no longer than 4 t, at least 1.5 t tall across
    the line and 1.8 times its stroke width (the dashes of a dashed wall are as tall as they
    are thick). `min_letters` of them in a line (read along rows or, for turned text, along
    columns) make a word: each overlapping the next by 0.6 of the shorter across the line,
    at most 0.6 of the taller's height apart along it, heights within 2 x. A piece of wall
    between two doors is one blob longer than a letter; a row of columns is spaced wider.

    Parameters
    ----------
    walls : (H, W) bool ndarray
        The thick strokes, before small pieces are dropped (a word's small letters join it).
    thickness_px : float
        The plan's wall thickness t, in px.
    min_letters : int
        Letters that make a word (at least 2).

    Returns
    -------
    letters : (H, W) bool ndarray
        The blobs of `walls` found in words.
    """
    require_mask(walls, "walls")
    _, lab, st, _ = cv2.connectedComponentsWithStats(walls.view(np.uint8), connectivity=8)
    words = _letter_blobs(walls, lab, st, float(thickness_px), min_letters)
    return words[lab]


def walls_without_lettering(
    walls: np.ndarray, *, thickness_px: float, min_area_px: float
) -> np.ndarray:
    """`walls` without their bold lettering (`lettering`) and without pieces smaller than
    `min_area_px` (`drop_small_components`), from one labelling of the strokes."""
    require_mask(walls, "walls")
    _, lab, st, _ = cv2.connectedComponentsWithStats(walls.view(np.uint8), connectivity=8)
    keep = st[:, cv2.CC_STAT_AREA] >= min_area_px
    keep &= ~_letter_blobs(walls, lab, st, float(thickness_px), MIN_LETTERS)
    keep[0] = False
    return keep[lab]


def _letter_blobs(
    walls: np.ndarray, lab: np.ndarray, st: np.ndarray, t: float, min_letters: int
) -> np.ndarray:
    """For each label of `lab` (0: the paper, never), whether its blob is in a word."""
    n = len(st)
    x, y, w, h = (st[1:, i].astype(np.int64) for i in range(4))
    small = np.flatnonzero((np.maximum(w, h) <= 4 * t) & (np.maximum(w, h) >= 1.5 * t))
    if t <= 0 or len(small) < min_letters:
        return np.zeros(n, bool)
    # each blob's stroke width: twice its deepest distance to the paper
    dist = cv2.distanceTransform(walls.view(np.uint8), cv2.DIST_L2, 3)
    is_small = np.zeros(n, bool)
    is_small[small + 1] = True
    inside = is_small[lab]
    stroke = np.zeros(n)
    np.maximum.at(stroke, lab[inside], dist[inside])
    stroke = 2 * stroke[1:]
    words = np.zeros(n - 1, bool)
    for along, a_len, across, c_len in ((x, w, y, h), (y, h, x, w)):  # rows, then columns
        ok = small[(c_len[small] >= 1.5 * t) & (c_len[small] >= 1.8 * stroke[small])]
        if len(ok) < min_letters:
            continue
        pairs = []
        # letters of one line start within 4 t of each other across it: look in the
        # neighbouring bands of 4 t only
        band = across[ok] // max(1, int(4 * t))
        sort = np.lexsort((along[ok], band))
        order, band_o = ok[sort], band[sort]
        start = along[order]
        for k, i in enumerate(order):
            end = along[i] + a_len[i]
            for b in (band_o[k] - 1, band_o[k], band_o[k] + 1):
                lo = np.searchsorted(band_o, b, "left")
                hi = np.searchsorted(band_o, b, "right")
                # candidates starting from i's start to 2.4 t (0.6 of 4 t) past its end
                j0 = lo + np.searchsorted(start[lo:hi], along[i], "left")
                j1 = lo + np.searchsorted(start[lo:hi], end + 2.4 * t, "right")
                for j in order[j0:j1]:
                    if j == i or along[j] - end > 0.6 * max(c_len[i], c_len[j]):
                        continue
                    short, tall = sorted((c_len[i], c_len[j]))
                    top = max(across[i], across[j])
                    overlap = min(across[i] + c_len[i], across[j] + c_len[j]) - top
                    if tall <= 2 * short and overlap >= 0.6 * short:
                        pairs.append((i, j))
        words[ok[_group_sizes(ok, pairs) >= max(2, min_letters)]] = True
    return np.concatenate([[False], words])


def _group_sizes(nodes: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """For each of `nodes`, the size of its group when `pairs` (of nodes) join them."""
    parent = {int(i): int(i) for i in nodes}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[root(int(i))] = root(int(j))
    roots = np.array([root(int(i)) for i in nodes])
    _, inv, counts = np.unique(roots, return_inverse=True, return_counts=True)
    return counts[inv]
