"""The text stage: what a page's text says about its rooms.

The recipe: find candidate lines from the ink (or take a PDF's text objects), keep those
inside detected rooms (names and sizes are written there; titles and notes are not), read
them within the page's time budget, then per room: its name (`label`), the type the name
gives, its stated dimensions; per page: the scale those give, and each room's real area.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ..results import Room
from .candidates import TextLine, text_lines
from .dimensions import Dimensions, parse_dimensions
from .scale import NO_SCALE, RoomSides, Scale, scale_from_dimensions
from .vocabulary import looks_like_name, type_of_label

log = logging.getLogger(__name__)

M2_TO_FT2 = 1 / 0.3048**2
MIN_CONFIDENCE = 0.6  # readings the recogniser is less sure of are dropped
MAX_LINES_PER_ROOM = 6  # a room holds a name, a size or two; more is furniture or hatching
CROP_MARGIN = 0.3  # (letter heights) around a line when it is cut out for reading
BATCH = 8  # lines read between two looks at the clock


@dataclass(frozen=True)
class Word:
    """A piece of text on the page: what it says, where (box [x, y, w, h] in page px), how
    sure the reading is, and the room it lies in (None: outside every room)."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    room: int | None = None

    def to_dict(self, room_ids: Sequence[str]) -> dict[str, object]:
        return {
            "text": self.text,
            "bbox": [round(float(v), 1) for v in self.box],
            "confidence": round(self.confidence, 3),
            "room_id": None if self.room is None else room_ids[self.room],
        }


@dataclass(frozen=True)
class PageText:
    """What the text stage found on a page: rooms with their text fields, the scale, the
    words read, and whether it ran out of time before reading everything."""

    rooms: list[Room]
    scale: Scale
    words: list[Word]
    complete: bool = True


def room_index(shape: tuple[int, int], rooms: Sequence[Room]) -> np.ndarray:
    """An HxW int32 image: k + 1 inside rooms[k], 0 outside every room."""
    index = np.zeros(shape, np.int32)
    for k, r in enumerate(rooms):
        poly = np.round(np.asarray(r.polygon, np.float64)).astype(np.int32)
        cv2.fillPoly(index, [poly.reshape(-1, 1, 2)], k + 1)
    return index


def room_at(index: np.ndarray, x: float, y: float) -> int | None:
    h, w = index.shape
    xi, yi = min(max(int(x), 0), w - 1), min(max(int(y), 0), h - 1)
    k = int(index[yi, xi])
    return k - 1 if k else None


def _crop(grey: np.ndarray, line: TextLine) -> np.ndarray:
    x, y, w, h = line.box
    m = max(2, round(CROP_MARGIN * line.letter_px))
    crop = grey[max(0, y - m) : y + h + m, max(0, x - m) : x + w + m]
    if line.vertical:
        # names run up the page more often than down (a reader turns the plan clockwise)
        crop = cv2.rotate(crop, cv2.ROTATE_90_CLOCKWISE)
    return np.ascontiguousarray(crop)


def read_lines(
    grey: np.ndarray,
    ink: np.ndarray,
    rooms: Sequence[Room],
    *,
    budget_s: float,
    recogniser=None,
) -> tuple[list[Word], bool]:
    """Read the candidate lines inside rooms; returns the words and whether all were read.

    Lines are read room by room, bigger letters first within a room (names before notes),
    until `budget_s` seconds have passed.
    """
    start = time.perf_counter()
    index = room_index(grey.shape, rooms)
    todo: list[tuple[int, TextLine]] = []
    per_room: dict[int, int] = {}
    for line in text_lines(ink):
        room = room_at(index, *line.centre)
        if room is None:
            continue
        per_room[room] = per_room.get(room, 0) + 1
        todo.append((room, line))
    todo = [(r, ln) for r, ln in todo if per_room[r] <= MAX_LINES_PER_ROOM]
    todo.sort(key=lambda t: (t[0], t[1].box[1]))
    if not todo:
        return [], True
    if recogniser is None:
        from .ocr import recogniser as shared

        recogniser = shared()
    words: list[Word] = []
    for i in range(0, len(todo), BATCH):
        if time.perf_counter() - start > budget_s:
            log.info("text budget spent: %d of %d lines read", i, len(todo))
            return words, False
        chunk = todo[i : i + BATCH]
        for (room, line), reading in zip(
            chunk, recogniser.read([_crop(grey, ln) for _, ln in chunk]), strict=True
        ):
            if reading.text and reading.confidence >= MIN_CONFIDENCE:
                words.append(Word(reading.text, line.box, reading.confidence, room))
    return words, True


def _rows(words: list[Word]) -> list[str]:
    """A room's words as lines of text, top to bottom: words side by side (their centres
    within half a line's height) are joined left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.box[1] + w.box[3] / 2):
        cy, h = w.box[1] + w.box[3] / 2, w.box[3]
        if rows:
            last = rows[-1][-1]
            if abs(last.box[1] + last.box[3] / 2 - cy) <= 0.5 * max(h, last.box[3]):
                rows[-1].append(w)
                continue
        rows.append([w])
    return [" ".join(w.text for w in sorted(row, key=lambda w: w.box[0])) for row in rows]


@dataclass(frozen=True)
class RoomText:
    label: str | None
    type: str | None
    dimensions: Dimensions | None


def room_text(words: list[Word]) -> RoomText:
    """A room's name, type and stated size from the words read inside it.

    The name is the lines that can be a name, in order ("Reception" + "Room /" + "Kitchen");
    the size, the first metric dimension (else the first imperial one).
    """
    names, dims = [], []
    for row in _rows(words):
        d = parse_dimensions(row)
        if d is not None:
            dims.append(d)
        elif looks_like_name(row):
            names.append(row.strip())
    label = re.sub(r"\s+", " ", " ".join(names)).strip() or None
    metric = [d for d in dims if d.system == "metric"]
    chosen = (metric or dims or [None])[0]
    return RoomText(label, type_of_label(label), chosen)


def measured_sides(room: Room) -> tuple[tuple[float, float], float]:
    """A room's box along its own axes (px) and how much of it the room fills."""
    pts = np.asarray(room.polygon, np.float32).reshape(-1, 1, 2)
    (_, _), (w, h), _ = cv2.minAreaRect(pts)
    box = float(w) * float(h)
    return (float(w), float(h)), (room.area_px / box if box > 0 else 0.0)


def annotate_rooms(rooms: Sequence[Room], words: list[Word], scale: Scale | None) -> PageText:
    """Rooms with label, type, dimensions and areas from the words read inside them, and the
    page's scale (`scale` if given, e.g. a PDF's stated scale; else from the dimensions)."""
    by_room: dict[int, list[Word]] = {}
    for w in words:
        if w.room is not None:
            by_room.setdefault(w.room, []).append(w)
    texts = [room_text(by_room.get(k, [])) for k in range(len(rooms))]
    sides = []
    for room, t in zip(rooms, texts, strict=True):
        if t.dimensions is not None:
            measured, fill = measured_sides(room)
            sides.append(RoomSides(room.id, measured, t.dimensions.sides_m, fill))
    if scale is None or not scale.known:
        scale = scale_from_dimensions(sides) if sides else NO_SCALE
    out = []
    for room, t in zip(rooms, texts, strict=True):
        area_m2 = room.area_px / scale.px_per_m**2 if scale.known else None  # type: ignore[operator]
        out.append(
            replace(
                room,
                label=t.label,
                type=t.type,
                dimensions=None if t.dimensions is None else t.dimensions.to_dict(),
                area_m2=None if area_m2 is None else round(area_m2, 3),
                area_ft2=None if area_m2 is None else round(area_m2 * M2_TO_FT2, 2),
            )
        )
    return PageText(out, scale, words)
