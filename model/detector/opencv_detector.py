"""`OpenCVDetector`: finds the rooms of a floor plan with classical image processing.

The recipe (`trace_rooms`) measures the plan's wall thickness, normalises the page to a
working resolution where walls are a few pixels thick, keeps the thick strokes as walls,
closes doorways between wall ends, floods the outside from the page border, and returns
the free regions left inside as rooms, mapped back to the original pixel coordinates.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from . import __version__
from .closets import split_closets
from .config import DetectorConfig, load_config
from .imageio import decode_plan
from .results import Page, Room, Source, success_document
from .room_types import DrawnType, room_features, room_types_from_drawing
from .stages import (
    Region,
    close_by_distance,
    disk,
    doorway_necks,
    drop_small_components,
    estimate_pen_width,
    estimate_wall_thickness,
    facing_end_bridges,
    ink_mask,
    line_mask,
    offset_polygon,
    opening_bridges,
    outlined_wall_fill,
    outside_mask,
    page_background,
    ridge_values,
    room_regions,
    thick_strokes,
    to_grey8,
    walls_without_lettering,
)

THIN_WALL_QUANTILE = 0.05  # area-weighted quantile of wall thickness: the thinner walls
# The wall thickness is first measured on a preview of at most this many pixels, the page
# halved (powers of two), so 1x, 2x and 4x of a drawing are measured on the same preview.
PREVIEW_PIXELS = 500_000
BACKGROUND_FRACTION = 0.05  # a flat non-paper border region this big is page background
TERRACE_FENCE = 0.5  # (t) a terrace's outline: its line pixels this close to the outside


@dataclass(frozen=True)
class Measure:
    """What the plan's first look measures: page background, ink and wall thickness (px)."""

    background: np.ndarray
    ink: np.ndarray
    thickness_px: float
    ridge: np.ndarray  # `ridge_values(ink)`, reused by the other measures of the same ink


def measure_plan(grey: np.ndarray, config: DetectorConfig) -> Measure:
    """Background, ink and wall thickness of a grey page (the first stages of the recipe)."""
    background = page_background(
        grey, min_contrast=config.min_contrast, min_fraction=BACKGROUND_FRACTION
    )
    ink = ink_mask(grey, min_contrast=config.min_contrast, ignore=background) & ~background
    ridge = ridge_values(ink)
    return Measure(background, ink, estimate_wall_thickness(ink, ridge=ridge), ridge)


def working_scale(grey: np.ndarray, config: DetectorConfig) -> tuple[float, Measure | None]:
    """Factor (a power of two, <= 1) that brings the plan's walls under
    `config.max_working_wall_px` pixels, but never its thinner walls (partitions) under
    `config.min_working_thin_wall_px`.

    Halving, not an exact target, so the same drawing at 1x, 2x or 4x lands on the same
    working grid (an exact target would resample each differently). The thickness is
    measured on a preview, the page halved to at most `PREVIEW_PIXELS` (so an enlarged plan
    is measured on the same preview as the original; returned too when the preview is the
    page itself, so it is not measured twice); the working image is also capped at
    `config.max_working_megapixels`. A blank page gives 1.
    """
    h, w = grey.shape
    preview_scale = 1.0
    while h * w * preview_scale**2 > PREVIEW_PIXELS:
        preview_scale /= 2
    preview = grey
    if preview_scale < 1:
        size = (max(1, round(w * preview_scale)), max(1, round(h * preview_scale)))
        preview = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    m = measure_plan(preview, config)
    if m.thickness_px <= 0:
        return 1.0, (m if preview_scale == 1 else None)
    t_full = m.thickness_px / preview_scale
    # The thinner walls (partitions) must stay visible on the working grid: measured among
    # the strokes the wall stage keeps (not text or thin lines, which would count as walls).
    pen = estimate_pen_width(m.ink, thickness_px=m.thickness_px, ridge=m.ridge)
    min_wall = min(config.min_wall_width * m.thickness_px, config.pen_to_wall * pen)
    # (and never under the bound itself: finer strokes are text to a coarse preview)
    min_wall = max(min_wall, config.min_working_thin_wall_px)
    thin = estimate_wall_thickness(
        m.ink, quantile=THIN_WALL_QUANTILE, min_width_px=min_wall, ridge=m.ridge
    )
    # The ridge sits on pixel centres, so it reads a band of odd width w as w + 1: one pixel
    # less is the band itself, which matters when the preview is coarse.
    thin_full = max(0.0, thin - 1) / preview_scale
    halvings = 0
    while (
        t_full / 2**halvings >= config.max_working_wall_px
        and thin_full / 2 ** (halvings + 1) >= config.min_working_thin_wall_px
    ):
        halvings += 1
    cap = math.sqrt(config.max_working_megapixels * 1e6 / (h * w))
    scale = min(1.0 / 2**halvings, cap)
    return scale, (m if preview_scale == 1 and scale == 1 else None)


@dataclass
class Trace:
    """Every intermediate of the recipe at working resolution (for tests and inspection)."""

    scale: float
    work: np.ndarray
    thickness_px: float = 0.0
    pen_px: float = 0.0
    walls: np.ndarray | None = None
    lines: np.ndarray | None = None
    bridges: np.ndarray | None = None
    outside: np.ndarray | None = None
    regions: list[Region] = field(default_factory=list)


def _thickest_wall(work: np.ndarray, config: DetectorConfig) -> float:
    """The thickest walls (px) that still leave room on the page for two of them and a room
    between (`min_room_width`); thicker "walls" are a page filled with ink, and would only
    cost time (kernels as wide as the wall)."""
    return min(work.shape) / (2.0 + config.min_room_width)


def trace_rooms(grey: np.ndarray, config: DetectorConfig) -> Trace:
    """The recipe, step by step: rooms of a grey page at working resolution."""
    scale, measured = working_scale(grey, config)
    work = grey
    if scale < 1:
        h, w = grey.shape
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        work = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    tr = Trace(scale, work)
    m = measured or measure_plan(work, config)
    background, ink = m.background, m.ink
    t = tr.thickness_px = m.thickness_px
    if not 0 < t <= _thickest_wall(work, config):
        return tr  # blank page, or walls too thick for any room to fit between them
    tr.pen_px = estimate_pen_width(ink, thickness_px=t, ridge=m.ridge)
    pen_walls = config.hatch_fill > 0 and t <= 1.5 * tr.pen_px
    if pen_walls:
        # No stroke is thicker than the pen: walls are drawn as hatching or outlines.
        # Closing the ink by about a pen's width turns hatched bands into solid walls.
        ink = close_by_distance(ink, radius_px=config.hatch_fill * tr.pen_px)
        t = tr.thickness_px = estimate_wall_thickness(ink)
        if not 0 < t <= _thickest_wall(work, config):
            return tr  # the hatching closed over (nearly) the whole page: no room
    min_wall_px = min(config.min_wall_width * t, config.pen_to_wall * tr.pen_px)
    if config.outlined_walls and background.any():
        # Occupancy maps (a page background of unknown space) may draw walls as grey bands
        # between outlines; on drawings such bands are mostly counters and furniture.
        ink = ink | outlined_wall_fill(
            work,
            ink,
            background,
            max_width_px=config.max_wall_end * t,
            min_contrast=config.min_contrast,
        )
    walls = thick_strokes(ink, min_width_px=min_wall_px)
    walls = tr.walls = walls_without_lettering(
        walls, thickness_px=t, min_area_px=config.min_wall_area * t * t
    )
    lines = line_mask(work, width_px=t, min_contrast=config.min_contrast)
    if not pen_walls:
        lines &= ~walls  # a wall is not a window's line (unless walls are pen strokes)
    lines = tr.lines = drop_small_components(lines, min_area_px=config.min_line_length * t)
    near_lines = lines
    if config.line_tolerance > 0 and pen_walls:  # (drawn plans' windows lie on the path)
        near_lines = cv2.dilate(lines.view(np.uint8), disk(config.line_tolerance * t)) > 0
    bridges = tr.bridges = opening_bridges(
        walls,
        near_lines,
        max_gap_px=config.door_width * t,
        max_lined_gap_px=config.window_width * t,
        min_end_px=min_wall_px,
        max_end_px=config.max_wall_end * t,
        max_facing_gap_px=config.double_door_width * t,
        jamb_match=config.jamb_match,
        window_lines=config.window_lines,
        raw_lines=lines,
        line_tolerance_px=round(config.line_tolerance * t),
    )
    if config.facing_ends:
        # the same openings between facing wall ends, at any angle and on ragged walls
        bridges = tr.bridges = bridges | facing_end_bridges(
            walls,
            min_end_px=min_wall_px,
            max_end_px=config.max_wall_end * t,
            max_gap_px=config.double_door_width * t,
            jamb_match=config.jamb_match,
            max_lone_gap_px=config.lone_end_width * t,
            depth_ratio=config.doorway_depth_ratio,
            bridges=bridges,
        )
    barriers = walls | bridges | background
    # The outside may not cross drawn lines either: windows, bays and glazed walls are lines.
    outside = tr.outside = outside_mask(barriers, lines, seal_px=config.seal_width * t)
    page_px = float(work.shape[0] * work.shape[1])
    free = ~barriers & ~outside
    if config.neck_width > 0:
        neck_px = config.neck_width * t
        free &= ~doorway_necks(free, neck_px=neck_px, max_area_px=2 * neck_px * neck_px)
    tr.regions = room_regions(
        free,
        walls,
        outside,
        min_area_px=config.min_area * page_px,
        max_area_px=config.max_area * page_px,
        max_outside_contact=config.max_outside_contact,
        min_width_px=config.min_room_width * t,
        lines=lines,
        min_terrace_wall_contact=config.terrace_wall_contact,
        min_terrace_area_px=config.min_terrace_area * t * t,
        terrace_fence_px=TERRACE_FENCE * t,
    )
    if config.closet_votes <= 1 and tr.regions:
        # wardrobes and closets: pieces the thin lines cut off a room (closets.py)
        tr.regions = split_closets(
            tr.regions,
            walls=walls,
            lines=lines,
            outside=outside,
            thickness_px=t,
            min_votes=config.closet_votes,
        )
    return tr


def traced_room_features(tr: Trace) -> np.ndarray:
    """`room_types.room_features` of each of `tr.regions`, from the masks the trace kept."""
    return room_features(
        tr.regions,
        work=tr.work,
        walls=tr.walls,
        lines=tr.lines,
        bridges=tr.bridges,
        outside=tr.outside,
        thickness_px=tr.thickness_px,
        pen_px=tr.pen_px,
    )


def drawn_room_types(tr: Trace) -> list[DrawnType]:
    """The type each of `tr.regions` looks like from what is drawn (`room_types`)."""
    if not tr.regions:
        return []
    return room_types_from_drawing(traced_room_features(tr))


def room_from_region(
    region: Region, *, scale: float, epsilon_factor: float, page_px: float
) -> Room | None:
    """A `Room` in original pixel coordinates from a working-resolution region."""
    c = region.contour.astype(np.float32).reshape(-1, 1, 2)
    eps = epsilon_factor * cv2.arcLength(c, True)
    poly = cv2.approxPolyDP(c, eps, True).reshape(-1, 2).astype(np.float64)
    if len(poly) < 3:
        return None
    # Pixel centres back to the original grid, then out by the half working pixel the
    # contour (traced through boundary pixel centres) leaves uncovered.
    poly = (poly + 0.5) / scale - 0.5
    poly = offset_polygon(poly, 0.5 / scale - 0.5)
    pts = poly.astype(np.float32)
    area = float(cv2.contourArea(pts))
    if area <= 0:
        return None
    m = cv2.moments(pts)
    x, y, bw, bh = cv2.boundingRect(np.round(pts).astype(np.int32))
    return Room(
        id="",
        polygon=[[round(float(a), 2), round(float(b), 2)] for a, b in poly],
        bbox=[float(x), float(y), float(bw), float(bh)],
        area_px=area,
        area_fraction=min(1.0, area / page_px),
        centroid=[float(m["m10"] / m["m00"]), float(m["m01"] / m["m00"])],
        perimeter_px=float(cv2.arcLength(pts, True)),
        confidence=float(np.clip(region.wall_contact, 0.0, 1.0)),
    )


class OpenCVDetector:
    """Floor plan in, rooms out. Stateless after construction, so safe to share across threads."""

    name = "opencv-room-detector"
    version = __version__

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()

    @classmethod
    def from_config_file(cls, path: str | Path | None = None) -> OpenCVDetector:
        return cls(load_config(path))

    def detect_rooms(self, image: np.ndarray) -> list[Room]:
        """Rooms of one page image (any channels/depth), in that image's pixel coordinates.

        Ids are stable: rooms are numbered in reading order of their bounding boxes.
        """
        grey = to_grey8(image)
        if grey.ndim != 2 or min(grey.shape) < 3:
            return []
        tr = trace_rooms(grey, self.config)
        regions, scale = tr.regions, tr.scale
        page_px = float(grey.shape[0] * grey.shape[1])
        # each room's type from the drawing (the text stage's fallback when no label names it)
        types = drawn_room_types(tr)
        rooms = [
            replace(r, type=k.type)
            for r, k in (
                (
                    room_from_region(
                        g, scale=scale, epsilon_factor=self.config.epsilon_factor, page_px=page_px
                    ),
                    k,
                )
                for g, k in zip(regions, types, strict=True)
            )
            if r is not None
        ]
        rooms.sort(key=lambda r: (r.bbox[1], r.bbox[0], r.area_px))
        # ids in that order; every other field (and any a later stage adds) carried over
        return [replace(r, id=f"room-{i:03d}") for i, r in enumerate(rooms, start=1)]

    def detect_page(self, image: np.ndarray, index: int = 0, **text: Any) -> Page:
        """One page's rooms and, with `config.read_text`, their names, sizes and areas and
        the page's scale (`text`: a PDF page's words and stated scale, see `read_page_text`).
        """
        rooms = self.detect_rooms(image)
        h, w = image.shape[:2]
        if not self.config.read_text:
            return Page(index=index, width=w, height=h, rooms=rooms)
        from .text import read_page_text

        read = read_page_text(to_grey8(image), rooms, self.config, **text)
        ids = [r.id for r in read.rooms]  # a region holding two rooms' names may be split
        return Page(
            index=index,
            width=w,
            height=h,
            rooms=read.rooms,
            scale=read.scale.to_dict(),
            text=[word.to_dict(ids) for word in read.words],
        )

    def detect_pages(self, pages: list[np.ndarray], data: bytes | None = None) -> list[Page]:
        """Every page's rooms; `data` is the document's bytes when it is a PDF, whose text
        layer is then read directly."""
        layers: list[dict[str, Any]] = [{} for _ in pages]
        if self.config.read_text and data is not None:
            from .text.pdf_text import pdf_page_text

            layers = pdf_page_text(data, [p.shape[:2] for p in pages])
        return [
            self.detect_page(p, i, **layer)
            for i, (p, layer) in enumerate(zip(pages, layers, strict=True))
        ]

    def document(
        self,
        pages: Sequence[np.ndarray],
        source: Source,
        *,
        decode_ms: float = 0.0,
        pdf: bytes | None = None,
    ) -> dict[str, Any]:
        """The results document of a plan's decoded pages: detect each, time it, assemble.

        The one path from pages to document: `process` (the CLI, from bytes) and the model
        server's `predict_fn` (pages decoded by `input_fn`) both end here. `decode_ms` is
        what decoding took, for the document's timings; `pdf` the document's bytes when it
        is a PDF (its text layer is read instead of OCR).
        """
        t0 = time.perf_counter()
        detected = self.detect_pages(list(pages), pdf)
        detect_ms = (time.perf_counter() - t0) * 1e3
        return success_document(
            source=source,
            pages=detected,
            detector_name=self.name,
            detector_version=self.version,
            config=self.config.model_dump(),
            timings_ms={"decode": decode_ms, "detect": detect_ms, "total": decode_ms + detect_ms},
        )

    def process(
        self,
        data: bytes,
        *,
        name: str,
        uri: str | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """Decode a plan's bytes and detect its rooms: the results document (`document`).

        Raises an `InvalidPlanError` subclass for input that cannot be read.
        """
        t0 = time.perf_counter()
        plan = decode_plan(data, self.config, content_type)
        decode_ms = (time.perf_counter() - t0) * 1e3
        source = Source.from_bytes(data, name, uri, plan.content_type)
        pdf = data if plan.content_type == "application/pdf" else None
        return self.document(plan.pages, source, decode_ms=decode_ms, pdf=pdf)
