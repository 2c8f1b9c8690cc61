"""Walls: the plan's wall thickness and pen width, read from the ink, and the thick strokes
that are walls.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._checks import require_mask
from .morphology import disk


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
