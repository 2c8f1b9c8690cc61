"""A page's scale (pixels per metre) from what its text states, and how sure it is.

`scale_bar`: a drawn scale bar read (`scale_bar.py`); where the rooms' sizes give a scale
too, the two are compared, and a disagreement is reported (`others`) and halves the
confidence instead of being settled by a guess.
`dimensions`: each room that states its sides ("3.57 x 2.61") gives the ratio of its
measured sides (px) to the stated ones (m); the page's scale is the median over rooms, and
rooms more than `OUTLIER` away from it are reported as outliers (a misread, or a detected
room that is two rooms, or part of one). `stated_scale`: a "1:100" printed on a page whose
physical size is known (a PDF page) gives the scale without measuring anything. `none`: no
area is given, since an area from a guessed scale would be a guess presented as a fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

OUTLIER = 0.08  # a room's ratio this far (fraction) from the median is an outlier
AGREEMENT = 0.03  # a scale bar and the rooms' sizes agree within this (fraction)
SIDE_AGREEMENT = 0.12  # a room's two sides must agree this well to measure it
MIN_RECT_FILL = 0.6  # rooms filling less of their box are not the rectangle stated
METRES_PER_INCH = 0.0254
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class RoomSides:
    """A room's measured box (px, along its own axes) and the sides its text states (m)."""

    room_id: str
    measured_px: tuple[float, float]
    stated_m: tuple[float, float]
    fill: float  # room area / box area: 1 for a rectangle


@dataclass(frozen=True)
class Scale:
    """Pixels per metre of one page, how it was found, and how far to trust it (0..1)."""

    px_per_m: float | None
    method: str  # "dimensions", "scale_bar", "stated_scale" or "none"
    confidence: float
    samples: int = 0
    outliers: tuple[str, ...] = field(default_factory=tuple)
    stated: str | None = None  # the "1:N" read, when the method is stated_scale
    # the other ways the page gave a scale: (method, px per metre, agrees with this one)
    others: tuple[tuple[str, float, bool], ...] = field(default_factory=tuple)

    @property
    def known(self) -> bool:
        return self.px_per_m is not None and self.px_per_m > 0

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "px_per_m": None if self.px_per_m is None else round(self.px_per_m, 4),
            "method": self.method,
            "confidence": round(self.confidence, 3),
            "samples": self.samples,
            "outliers": list(self.outliers),
        }
        if self.stated is not None:
            out["stated"] = self.stated
        if self.others:
            out["others"] = [
                {"method": m, "px_per_m": round(v, 4), "agrees": ok} for m, v, ok in self.others
            ]
        return out


NO_SCALE = Scale(None, "none", 0.0)


def covered_area_px(area_px: float, perimeter_px: float) -> float:
    """The area of a room's pixels from its polygon's area and perimeter (px).

    A room's polygon runs through the centres of its boundary pixels (so it rasterises to
    exactly its pixels), and those pixels reach half a pixel beyond it: a band half a pixel
    wide along the perimeter, and a quarter pixel at each of a rectangle's four corners. On a
    room 150 px wide that band is 1-2 % of the area, as much as the whole scale tolerance.
    """
    return area_px + perimeter_px / 2 + 1


@dataclass(frozen=True)
class Floor:
    """A room's floor as measured on the page: its area (px) and its box along its own axes
    (px), both to the outer edges of its pixels, and how much of the box it fills."""

    area_px: float
    sides_px: tuple[float, float]
    fill: float


def floor_of(polygon: Sequence[Sequence[float]], bbox: Sequence[float], ink: np.ndarray) -> Floor:
    """A room's floor on the page's own pixels: its polygon's pixels and the paper (not ink)
    pixels in the one-pixel ring around it. The polygon is traced on the working grid (a
    plan is halved while its walls are thick), where a working pixel half on the wall reads
    as wall, so the traced room stops up to a page pixel short of each wall's ink: about 1 %
    of a room's area, a third of the area tolerance. The ring gives those pixels back; it
    never crosses a wall, which is ink."""
    x0, y0 = int(np.floor(bbox[0])) - 2, int(np.floor(bbox[1])) - 2
    x1, y1 = int(np.ceil(bbox[0] + bbox[2])) + 3, int(np.ceil(bbox[1] + bbox[3])) + 3
    H, W = ink.shape
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(W, x1), min(H, y1)
    mask = np.zeros((cy1 - cy0, cx1 - cx0), np.uint8)
    poly = np.round(np.asarray(polygon, np.float64) - (cx0, cy0)).astype(np.int32)
    cv2.fillPoly(mask, [poly.reshape(-1, 1, 2)], 1)
    ring = cv2.dilate(mask, np.ones((3, 3), np.uint8)) > mask
    floor = (mask > 0) | (ring & ~ink[cy0:cy1, cx0:cx1])
    area = float(floor.sum())
    if area == 0:
        return Floor(0.0, (0.0, 0.0), 0.0)
    # The box of the outlines' corners is the box of every pixel (the same convex hull), from
    # a fraction of the points: 20x cheaper, sides equal within 1e-4 px on 246 rooms.
    outlines, _ = cv2.findContours(floor.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    (_, _), (w, h), _ = cv2.minAreaRect(np.concatenate(outlines).astype(np.float32))
    sides = covered_sides_px((float(w), float(h)))
    return Floor(area, sides, area / (sides[0] * sides[1]))


def covered_sides_px(polygon_sides_px: tuple[float, float]) -> tuple[float, float]:
    """A room's box sides (px) measured to the outer edges of its boundary pixels, not their
    centres (where its polygon runs): one pixel longer each."""
    return (polygon_sides_px[0] + 1, polygon_sides_px[1] + 1)


def room_ratio(sides: RoomSides) -> float | None:
    """px per metre for one room: its longer measured side over its longer stated side, when
    the shorter sides agree (the room is the rectangle its text describes); else None."""
    if sides.fill < MIN_RECT_FILL:
        return None
    m_long, m_short = max(sides.measured_px), min(sides.measured_px)
    s_long, s_short = max(sides.stated_m), min(sides.stated_m)
    if min(m_short, s_short) <= 0:
        return None
    a, b = m_long / s_long, m_short / s_short
    if abs(a - b) > SIDE_AGREEMENT * max(a, b):
        return None
    # the longer side weighs more: a wall's thickness is a smaller part of it
    return float((a * s_long + b * s_short) / (s_long + s_short))


def scale_from_dimensions(rooms: Sequence[RoomSides]) -> Scale:
    """The page's scale from its rooms' stated sides: the median of the rooms' ratios.

    Confidence grows with the rooms that agree (three or more agreeing rooms: full) and
    falls with the share of rooms that disagree.
    """
    ratios = [(r.room_id, room_ratio(r)) for r in rooms]
    measured = [(rid, x) for rid, x in ratios if x is not None]
    if not measured:
        return NO_SCALE
    values = np.array([x for _, x in measured])
    med = float(np.median(values))
    inlier = np.abs(values / med - 1) <= OUTLIER
    outliers = tuple(rid for (rid, _), ok in zip(measured, inlier, strict=True) if not ok)
    outliers += tuple(rid for rid, x in ratios if x is None)
    n_in = int(inlier.sum())
    if n_in == 0:  # an even count of rooms that all disagree: the median agrees with none
        return Scale(None, "none", 0.0, len(measured), outliers)
    scale = float(np.median(values[inlier]))
    confidence = min(1.0, n_in / 3) * n_in / len(measured)
    if n_in == 1 and len(measured) == 1:
        confidence *= 0.5  # one room says so, nothing checks it
    return Scale(scale, "dimensions", confidence, len(measured), outliers)


def with_scale_bar(bar: Scale, dimensions: Scale) -> Scale:
    """One page's scale from its scale bar and its rooms' stated sizes.

    Either alone is taken as it is. Both: the bar (drawn to be measured; the rooms' sides
    are measured on detected polygons) with the rooms' figure reported beside it; when they
    agree within `AGREEMENT` each confirms the other, and when they do not the more
    confident one stands at half its confidence, the other reported as disagreeing.
    """
    if not bar.known:
        return dimensions
    if not dimensions.known:
        return replace(bar, outliers=dimensions.outliers)
    agree = abs(dimensions.px_per_m / bar.px_per_m - 1) <= AGREEMENT  # type: ignore[operator]
    samples = bar.samples + dimensions.samples
    if agree:
        confidence = 1 - (1 - bar.confidence) * (1 - dimensions.confidence)
        other = ("dimensions", dimensions.px_per_m, True)
        return replace(
            bar, confidence=confidence, samples=samples, outliers=dimensions.outliers,
            others=(other,),
        )  # fmt: skip
    first, second = (
        (bar, dimensions) if bar.confidence >= dimensions.confidence else (dimensions, bar)
    )
    return replace(
        first,
        confidence=first.confidence / 2,
        samples=samples,
        outliers=dimensions.outliers,
        others=((second.method, second.px_per_m, False),),
    )


def scale_from_stated(denominator: int, px_per_point: float, text: str) -> Scale:
    """The scale a "1:N" gives on a page of known physical size (`px_per_point`: page pixels
    per PDF point, 1/72 inch): pixels per metre of paper, divided by N."""
    px_per_paper_m = px_per_point * POINTS_PER_INCH / METRES_PER_INCH
    return Scale(px_per_paper_m / denominator, "stated_scale", 0.9, 1, (), text)
