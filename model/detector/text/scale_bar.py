"""A drawn scale bar: a straight line with short upright ticks, numbers over the ticks
("0 1 2 5 m", "0 5 10 ft"), read as pixels per metre.

The recipe: long thin horizontal strokes of ink are candidate bars (longest first); a bar
has upright ticks standing on it (at least three, one at each end); the row of ink beyond
the ticks' tips holds the numbers, each word read where it stands over a tick. A straight
fit of tick position against number (the largest set of ticks whose numbers agree: a
misread number is an outlier, not a bend) gives pixels per unit; the unit as written (m,
ft) makes them pixels per metre. Without a unit read, or with fewer than two numbers that
agree, there is no scale: a guessed unit would make every area a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import cv2
import numpy as np

from .scale import NO_SCALE, Scale

MIN_BAR_FRACTION = 0.08  # a bar is at least this share of the page's longer side
MAX_CANDIDATES = 3  # candidate bars read per page (longest first; those with numbers)
MIN_TICKS = 3
MIN_CONFIDENCE = 0.6  # readings the recogniser is less sure of are no number
MAX_WORDS = 5  # numbers read per bar (the first, the last, some between): each costs ~10 ms
FIT_TOLERANCE = 0.01  # (of the bar's length) a tick within this of the fit agrees
UNITS_M = {"m": 1.0, "metres": 1.0, "meters": 1.0, "ft": 0.3048, "feet": 0.3048, "'": 0.3048}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z']*)\s*\.?$", re.IGNORECASE)
_UNIT = re.compile(r"^\s*(m|metres|meters|ft|feet|')\s*\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Bar:
    """A candidate bar: its line (x0, x1, the rows y0..y1 inclusive) and its ticks' centres
    (px), with the side they stand on (-1: up, +1: down) and how far they reach."""

    x0: int
    x1: int
    y0: int
    y1: int
    ticks: tuple[float, ...]
    side: int
    reach: int

    @property
    def length(self) -> int:
        return self.x1 - self.x0


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of the runs of True in a 1-D bool array."""
    d = np.diff(np.r_[0, flags.astype(np.int8), 0])
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def candidate_bars(ink: np.ndarray) -> list[Bar]:
    """Thin horizontal lines of ink, long enough to be a bar, that carry upright ticks
    (one at each end and at least `MIN_TICKS` in all), longest first."""
    H, W = ink.shape
    min_len = max(30, round(MIN_BAR_FRACTION * max(H, W)))
    mask = ink.astype(np.uint8)
    # erosion along rows keeps the middle of every run at least min_len long: each such
    # line, shortened by min_len - 1 (added back below)
    lines = cv2.erode(mask, np.ones((1, min_len), np.uint8), anchor=(0, 0))
    n, cc, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    order = sorted(range(1, n), key=lambda k: -stats[k, cv2.CC_STAT_WIDTH])
    bars: list[Bar] = []
    for k in order:
        x, y, w, h = (int(v) for v in stats[k, :4])
        thick = float(np.median((cc[y : y + h, x : x + w] == k).sum(axis=0)))
        if h > max(3.0, 2.5 * thick) or thick > max(4.0, 0.02 * w):
            continue  # slanted, a wall, or a block of hatching: no ruler's line
        bar = _ticks(mask, x, x + w + min_len - 1, y, y + h - 1, max(1, round(thick)))
        if bar is not None:
            bars.append(bar)
    return bars


def _ticks(mask: np.ndarray, x0: int, x1: int, y0: int, y1: int, thick: int) -> Bar | None:
    """The upright ticks standing on the line [x0, x1) at rows y0..y1, on the side more of
    them stand on; None unless there are enough, with one at each end."""
    H, _ = mask.shape
    min_reach = max(3, 2 * thick)
    max_reach = max(min_reach + 1, (x1 - x0) // 8)
    best: Bar | None = None
    for side in (-1, 1):
        start = y0 - 1 if side < 0 else y1 + 1
        stop = max(-1, start - max_reach) if side < 0 else min(H, start + max_reach)
        if not 0 <= start < H:
            continue
        lo, hi = max(0, x0 - 2 * thick), min(mask.shape[1], x1 + 2 * thick)
        rows = mask[min(start, stop + 1) : max(start, stop - 1) + 1, lo:hi]
        if side < 0:
            rows = rows[::-1]  # outwards from the line
        # a tick's reach per column: ink unbroken from the line outwards
        broken = np.logical_and.accumulate(rows > 0, axis=0)
        reach = broken.sum(axis=0)
        ticks, reaches = [], []
        for a, b in _runs(reach >= min_reach):
            if b - a > 3 * thick:
                continue  # a block, not a stroke
            ticks.append(lo + (a + b - 1) / 2)
            reaches.append(int(reach[a:b].max()))
        if len(ticks) < MIN_TICKS:
            continue
        slack = 2 * thick + 1
        if ticks[0] - x0 > slack or (x1 - 1) - ticks[-1] > slack:
            continue
        bar = Bar(x0, x1, y0, y1, tuple(ticks), side, int(np.max(reaches)))
        if best is None or len(bar.ticks) > len(best.ticks):
            best = bar
    return best


@dataclass(frozen=True)
class Label:
    """A word read by a bar: its box (x0, x1, y0, y1) and text."""

    x0: int
    x1: int
    y0: int
    y1: int
    text: str = ""


def label_words(ink: np.ndarray, bar: Bar) -> list[Label]:
    """The words of the row of ink just beyond the ticks' tips (their numbers), split at
    gaps wider than half the row's height."""
    H, W = ink.shape
    spacing = float(np.median(np.diff(bar.ticks)))
    lo, hi = max(0, bar.x0 - round(spacing)), min(W, bar.x1 + round(spacing))
    tip = bar.y0 - bar.reach if bar.side < 0 else bar.y1 + bar.reach
    depth = max(10, round(1.5 * spacing), 4 * bar.reach)
    if bar.side < 0:
        a, b = max(0, tip - depth), max(0, tip)
    else:
        a, b = min(H, tip + 1), min(H, tip + 1 + depth)
    band = ink[a:b, lo:hi] > 0
    if band.size == 0:
        return []
    # rows over the bar's own span: beyond it, other drawing (a title block's frame) may
    # stand beside the numbers
    rows = band[:, bar.x0 - lo : bar.x1 - lo].any(axis=1)
    runs = _runs(rows)
    if not runs:
        return []
    # the run of rows nearest the tips, joined across gaps of a couple of pixels
    runs = runs[::-1] if bar.side < 0 else runs
    r0, r1 = runs[0]
    for s, e in runs[1:]:
        if (s - r1 if bar.side > 0 else r0 - e) > 2:
            break
        r0, r1 = min(r0, s), max(r1, e)
    height = r1 - r0
    if not 5 <= height <= min(0.5 * spacing, 0.1 * bar.length):
        return []  # no numbers, or a block of drawing no bar's numbers are as tall as
    cols = band[r0:r1].any(axis=0)
    gap = max(2, round(0.8 * height))  # a space joins a number and its unit ("5 m")
    words: list[tuple[int, int]] = []
    for s, e in _runs(cols):
        if words and s - words[-1][1] <= gap:
            words[-1] = (words[-1][0], e)
        else:
            words.append((s, e))
    return [Label(lo + s, lo + e, a + r0, a + r1) for s, e in words]


def _crop(grey: np.ndarray, w: Label) -> np.ndarray:
    m = max(2, round(0.3 * (w.y1 - w.y0)))
    return np.ascontiguousarray(grey[max(0, w.y0 - m) : w.y1 + m, max(0, w.x0 - m) : w.x1 + m])


def fit_bar(bar: Bar, words: list[Label]) -> Scale:
    """px per metre from the numbers read over the ticks: a number counts where it stands
    over a tick; the largest set of ticks whose numbers lie on one straight line gives the
    scale (least squares), the unit read after a number (or alone, after the last) turns
    units into metres."""
    spacing = float(np.median(np.diff(bar.ticks)))
    ticks = np.array(bar.ticks)
    points: list[tuple[float, float]] = []
    units: list[str] = []
    for w in words:
        text = w.text.strip().lower().replace(" ", "")
        unit = _UNIT.match(text)
        if unit:
            units.append(unit.group(1))
            continue
        m = _NUMBER.match(text)
        if not m:
            continue
        if m.group(2):
            if m.group(2) not in UNITS_M:
                continue
            units.append(m.group(2))
        # centred over its tick by the number alone: the unit's letters run on to the right
        digits = len(m.group(1))
        cx = w.x0 + (w.x1 - w.x0) * (digits / len(text) if m.group(2) else 1.0) / 2
        k = int(np.abs(ticks - cx).argmin())
        if abs(ticks[k] - cx) <= 0.3 * spacing:
            points.append((float(ticks[k]), float(m.group(1).replace(",", "."))))
    unit_set = {UNITS_M[u] for u in units}
    if len(unit_set) != 1 or len(points) < 2:
        return NO_SCALE
    (metres_per_unit,) = unit_set
    xs, vs = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    tol = max(2.0, FIT_TOLERANCE * bar.length)
    best = np.zeros(len(points), bool)
    for i, j in combinations(range(len(points)), 2):
        if vs[j] == vs[i]:
            continue
        slope = (xs[j] - xs[i]) / (vs[j] - vs[i])
        if slope <= 0:
            continue
        agree = np.abs(xs - (xs[i] + slope * (vs - vs[i]))) <= tol
        if agree.sum() > best.sum():
            best = agree
    n = int(best.sum())
    if n < 2 or len(set(vs[best].tolist())) < 2:
        return NO_SCALE
    slope, _ = np.polyfit(vs[best], xs[best], 1)
    confidence = min(1.0, n / 3) * n / len(points)
    return Scale(float(slope / metres_per_unit), "scale_bar", confidence, len(points))


def _worth_reading(bar: Bar, words: list[Label]) -> list[Label]:
    """The words that can be a tick's number (centred near a tick) and the last one (a
    unit); at most `MAX_WORDS` of them, spread along the bar."""
    spacing = float(np.median(np.diff(bar.ticks)))
    ticks = np.array(bar.ticks)
    near = [
        i for i, w in enumerate(words) if np.abs(ticks - (w.x0 + w.x1) / 2).min() <= 0.3 * spacing
    ]
    if not near:
        return []
    after = words[near[-1] + 1 : near[-1] + 2]  # a unit standing alone
    if len(near) > MAX_WORDS - 1:
        pick = np.round(np.linspace(0, len(near) - 1, MAX_WORDS - 1)).astype(int)
        near = [near[i] for i in np.unique(pick)]
    return [words[i] for i in near] + after


def scale_from_bar(grey: np.ndarray, ink: np.ndarray, recogniser) -> Scale:
    """The page's scale from a drawn scale bar, or `NO_SCALE` when it has none that reads."""
    tried = 0
    for bar in candidate_bars(ink):
        words = label_words(ink, bar)
        if len(words) < 2:
            continue
        if tried == MAX_CANDIDATES:
            break
        tried += 1
        words = _worth_reading(bar, words)
        if len(words) < 2:
            continue
        readings = recogniser.read([_crop(grey, w) for w in words])
        read = [Label(w.x0, w.x1, w.y0, w.y1, r.text) for w, r in zip(words, readings, strict=True)]
        scale = fit_bar(bar, read)
        if scale.known:
            return scale
    return NO_SCALE
