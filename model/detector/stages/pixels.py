"""From page pixels to masks: grey levels, ink, thin lines, the page background and the
grey fills of outlined walls.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._checks import require_grey8, require_mask
from .morphology import disk


def to_grey8(image: np.ndarray) -> np.ndarray:
    """Any page array (grey, BGR, BGRA, 16-bit, float, bool) as uint8 grey, paper white.

    Colour pages are reduced to their brightest channel (see below), not to luminance.
    Alpha is composited on white paper (transparent = paper); 16-bit is scaled to 8 bits;
    floats are taken as [0, 1] when their maximum is at most 1, else as [0, 255].

    Parameters
    ----------
    image : (H, W) or (H, W, C) ndarray
        A decoded page, C in 1-4 channels (BGR order), of any dtype.

    Returns
    -------
    grey : (H, W) uint8 ndarray
        Grey levels, 0 black ink to 255 white paper.
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
    """Percentiles of a uint8 image's grey levels, from its histogram (fast, exact levels).

    Parameters
    ----------
    grey : (H, W) uint8 ndarray
        The page's grey levels.
    percents : tuple of float
        Percentiles wanted, each in [0, 100].

    Returns
    -------
    levels : list of int
        The grey level (0-255) at each percentile; all 0 for an empty image.
    """
    require_grey8(grey, "grey")
    if grey.size == 0:
        return [0 for _ in percents]
    cum = np.cumsum(np.bincount(grey.ravel(), minlength=256))
    return [int(np.searchsorted(cum, p / 100.0 * cum[-1])) for p in percents]


def ink_mask(
    grey: np.ndarray, *, min_contrast: int, ignore: np.ndarray | None = None
) -> np.ndarray:
    """Dark strokes of the page: grey below the Otsu threshold.

    The threshold is computed over the pixels not in `ignore` (e.g. the page background),
    so a large grey background does not push light-grey walls over to the paper's side.
    A page whose grey levels span less than `min_contrast` is blank: no ink at all.

    Parameters
    ----------
    grey : (H, W) uint8 ndarray
        The page's grey levels (`to_grey8`).
    min_contrast : int
        Grey levels (0-255) between the page's dark and bright ends below which it is blank.
    ignore : (H, W) bool ndarray, optional
        Pixels left out of the threshold (the page background).

    Returns
    -------
    ink : (H, W) bool ndarray
        True on ink.
    """
    require_grey8(grey, "grey")
    if ignore is not None:
        require_mask(ignore, "ignore")
    lo, hi = grey_percentiles(grey, (0.5, 99.5))
    if hi - lo < min_contrast:
        return np.zeros(grey.shape, bool)
    sample = grey if ignore is None else grey[~ignore]
    if sample.size == 0:
        return np.zeros(grey.shape, bool)
    thresh, _ = cv2.threshold(sample.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return grey <= thresh  # Otsu puts levels <= thresh in the dark class


def line_mask(grey: np.ndarray, *, width_px: float, min_contrast: int) -> np.ndarray:
    """Thin drawn lines, however faint: marks narrower than `width_px` that are darker than
    their surroundings by at least `min_contrast` / 2 (a black-hat transform).

    Window lines are often light grey and fall above the ink threshold, but they are here;
    flat fills (grey or coloured floors) are not lines, whatever their grey.

    Parameters
    ----------
    grey : (H, W) uint8 ndarray
        The page's grey levels.
    width_px : float
        Widest mark that is a line, in px (at least 3 is used).
    min_contrast : int
        Twice the grey levels (0-255) a line must be darker than its surroundings.

    Returns
    -------
    lines : (H, W) bool ndarray
        True on thin lines.
    """
    require_grey8(grey, "grey")
    k = disk(max(3.0, width_px))
    closed = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, k)
    return cv2.subtract(closed, grey) >= min_contrast / 2


FLAT_LEVELS = 2  # grey levels a flat background colour may vary by

DARK_BACKGROUND_STROKE = 0.01  # a dark background's strokes thinner than this (page side)


def page_background(grey: np.ndarray, *, min_contrast: int, min_fraction: float) -> np.ndarray:
    """The page's flat non-paper background, e.g. an occupancy map's unknown space.

    The most common grey on the page border, when darker than the paper (the page's bright
    end, its 99th percentile) by `min_contrast`, is a background colour when its 8-connected
    regions (within `FLAT_LEVELS` grey levels) that touch the border cover at least
    `min_fraction` of the page; those regions, and the other regions of that colour bigger
    than a tenth of `min_fraction` (courtyards, voids), are the background. It is never a
    room, and never a wall with ends.

    Parameters
    ----------
    grey : (H, W) uint8 ndarray
        The page's grey levels.
    min_contrast : int
        Grey levels (0-255) the background must be darker than the paper.
    min_fraction : float
        Share of the page, in [0, 1], the border's background regions must cover.

    Returns
    -------
    background : (H, W) bool ndarray
        True on the background; all False when the page has none.
    """
    require_grey8(grey, "grey")
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
    """The insides of outlined walls: bands of grey between ink outlines.

    Some plans draw walls as two dark outlines filled with a light grey that the ink
    threshold leaves on the paper's side, so each wall reads as two thin lines. Here a
    region clearly darker than the paper (by `min_contrast`) but not ink, nowhere wider than
    `max_width_px` (a wall, not a grey floor or a shaded room) and held between ink (at
    least `min_rim_ink` of its rim on ink; a stroke's anti-aliased halo has the paper on
    one side) is such a fill. Pixels in `ignore` (the page background) are never a fill.

    Parameters
    ----------
    grey : (H, W) uint8 ndarray
        The page's grey levels.
    ink : (H, W) bool ndarray
        The ink (`ink_mask`).
    ignore : (H, W) bool ndarray
        Pixels that are never a fill (the page background).
    max_width_px : float
        Widest fill, in px: a wall band, not a floor.
    min_contrast : int
        Grey levels (0-255) a fill must be darker than the paper.
    min_rim_ink : float
        Share of a fill's rim, in [0, 1], that must lie on ink.

    Returns
    -------
    fill : (H, W) bool ndarray
        True inside outlined walls.
    """
    require_grey8(grey, "grey")
    require_mask(ink, "ink")
    require_mask(ignore, "ignore")
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
