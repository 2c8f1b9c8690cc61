"""Mask operations every stage shares: the disk kernel, closing, small-component removal."""

from __future__ import annotations

import cv2
import numpy as np

from ._checks import require_mask


def disk(diameter_px: float) -> np.ndarray:
    """A disk structuring element `diameter_px` wide (rounded to whole pixels, at least 1).

    Parameters
    ----------
    diameter_px : float
        Diameter in px.

    Returns
    -------
    kernel : (d, d) uint8 ndarray
        1 inside the disk, for `cv2.morphologyEx` and friends.
    """
    d = max(1, round(diameter_px))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (d, d))


def close_by_distance(mask: np.ndarray, *, radius_px: float) -> np.ndarray:
    """Morphological closing of `mask` by a disk of radius `radius_px`, computed with two
    distance transforms: as exact as a disk kernel, and its cost does not grow with it.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The mask to close.
    radius_px : float
        The disk's radius in px; 0 or less returns a copy.

    Returns
    -------
    closed : (H, W) bool ndarray
        `mask` with gaps narrower than the disk filled.
    """
    require_mask(mask, "mask")
    if radius_px <= 0 or not mask.any():
        return mask.copy()
    near = cv2.distanceTransform((~mask).view(np.uint8), cv2.DIST_L2, 5) <= radius_px
    return (cv2.distanceTransform(near.view(np.uint8), cv2.DIST_L2, 5) > radius_px) | mask


def drop_small_components(mask: np.ndarray, *, min_area_px: float) -> np.ndarray:
    """`mask` without its 8-connected components smaller than `min_area_px`.

    Parameters
    ----------
    mask : (H, W) bool ndarray
        The mask to clean.
    min_area_px : float
        Smallest component kept, in px (pixels of area).

    Returns
    -------
    kept : (H, W) bool ndarray
        The components of `mask` at least `min_area_px` big.
    """
    require_mask(mask, "mask")
    _, lab, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_area_px
    keep[0] = False
    return keep[lab]
