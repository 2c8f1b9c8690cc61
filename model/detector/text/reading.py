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
from .candidates import TextLine, page_text_lines
from .dimensions import Dimensions, parse_dimensions
from .scale import (
    NO_SCALE,
    Floor,
    RoomSides,
    Scale,
    covered_area_px,
    covered_sides_px,
    scale_from_dimensions,
    with_scale_bar,
)
from .vocabulary import correct_name, looks_like_name, type_of_label

log = logging.getLogger(__name__)

M2_TO_FT2 = 1 / 0.3048**2
MIN_CONFIDENCE = 0.6  # readings the recogniser is less sure of are dropped
MAX_ROWS_PER_ROOM = 6  # a room holds a name, a size or two; more is furniture or hatching
CROP_MARGIN = 0.3  # (letter heights) around a line when it is cut out for reading
SPLIT = 3.0  # (letter heights) pieces of a row closer than this are read as one line
NAME_ROWS = 1.6  # (size line heights) a name printed above its size is at most this tall
END_MARGIN = 1.0  # (letter heights) before and after it, as far as ink goes on


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


def room_around(index: np.ndarray, line: TextLine) -> int | None:
    """The room most of the paper around a line of text belongs to (None: outside every
    room). The paper around it, not its centre: a name whose letters touch a door's leaf
    can be cut out of its room's polygon, which then goes around it."""
    x, y, w, h = line.box
    m = max(2, round(line.letter_px))
    around = index[max(0, y - m) : y + h + m, max(0, x - m) : x + w + m]
    counts = np.bincount(around.ravel())
    counts[0] = 0
    k = int(counts.argmax())
    return k - 1 if counts[k] else None


def _crop(grey: np.ndarray, ink: np.ndarray, line: TextLine) -> np.ndarray:
    x, y, w, h = line.box
    m = max(2, round(CROP_MARGIN * line.letter_px))
    # along the line, up to a letter more: a first or last letter that touches a drawn line
    # (a door's swing, furniture) is no letter-sized piece, and would be cut off. Only as far
    # as ink goes on, though, then the margin: the recogniser's time is the crop's width,
    # and a letter of paper at each end was a third of a short name's (16 % of the columns
    # read on R3D).
    e = max(m, round(END_MARGIN * line.letter_px))
    if line.vertical:
        y0, y1 = _ends(ink[:, max(0, x - m) : x + w + m].T, y, y + h, m, e)
        crop = grey[y0:y1, max(0, x - m) : x + w + m]
        # names run up the page more often than down (a reader turns the plan clockwise)
        crop = cv2.rotate(crop, cv2.ROTATE_90_CLOCKWISE)
    else:
        band = ink[max(0, y - m) : y + h + m]
        x0, x1 = _ends(band, x, x + w, m, e)
        crop = grey[max(0, y - m) : y + h + m, x0:x1]
    return np.ascontiguousarray(crop)


def _ends(band: np.ndarray, start: int, stop: int, margin: int, reach: int) -> tuple[int, int]:
    """Where to cut a line [start, stop) along its length (`band`: the ink of the line's
    rows, the line along axis 1): `margin` beyond the farthest ink within `reach` of
    either end (no more than `reach` beyond it), `margin` where there is none."""
    n = band.shape[1]
    before = band[:, max(0, start - reach) : start].any(axis=0)
    after = band[:, stop : min(n, stop + reach)].any(axis=0)
    left = start - before.size + int(np.argmax(before)) if before.any() else start
    right = stop + int(np.flatnonzero(after)[-1]) + 1 if after.any() else stop
    return max(0, start - reach, left - margin), min(n, stop + reach, right + margin)


def room_centre(room: Room) -> tuple[float, float]:
    """The centre of a room's area (px), where plans print its name and size."""
    m = cv2.moments(np.asarray(room.polygon, np.float32).reshape(-1, 1, 2))
    if m["m00"] <= 0:
        x0, y0, x1, y1 = room.bbox
        return (x0 + x1) / 2, (y0 + y1) / 2
    return m["m10"] / m["m00"], m["m01"] / m["m00"]


def _joined(row: list[TextLine]) -> list[TextLine]:
    """A row's pieces with those at most `SPLIT` letter heights apart made one line: a word
    that a door's swing or a drawn line crosses is found in pieces ("Recep", "tion"), and
    read whole only with the stroke between them in the crop."""
    row = sorted(row, key=lambda ln: ln.box[0])
    out = [row[0]]
    for ln in row[1:]:
        last = out[-1]
        x, y, w, h = last.box
        if ln.box[0] - (x + w) > SPLIT * ln.letter_px:
            out.append(ln)
            continue
        x1 = max(x + w, ln.box[0] + ln.box[2])
        y0, y1 = min(y, ln.box[1]), max(y + h, ln.box[1] + ln.box[3])
        out[-1] = TextLine((x, y0, x1 - x, y1 - y0), last.letters + ln.letters, ln.letter_px)
    return out


def _line_rows(lines: list[TextLine], centre: tuple[float, float]) -> list[list[TextLine]]:
    """A room's candidate lines in the order to read them, grouped into rows (pieces of one
    line of text split at a wide space): rows nearest the room's `centre` first (a name and
    size are printed there; a hob's rings or a fixture's mark by a wall are not), lines
    running down the page last, one row each."""
    flat = sorted((ln for ln in lines if not ln.vertical), key=lambda ln: ln.centre[1])
    rows: list[list[TextLine]] = []
    for ln in flat:
        if rows and abs(rows[-1][-1].centre[1] - ln.centre[1]) <= 0.5 * ln.letter_px:
            rows[-1].append(ln)
        else:
            rows.append([ln])

    def distance(row: list[TextLine]) -> float:
        x0 = min(ln.box[0] for ln in row)
        x1 = max(ln.box[0] + ln.box[2] for ln in row)
        return float(np.hypot((x0 + x1) / 2 - centre[0], row[0].centre[1] - centre[1]))

    rows = [_joined(row) for row in rows]
    rows.sort(key=distance)
    rows += [[ln] for ln in sorted((ln for ln in lines if ln.vertical), key=lambda ln: ln.box)]
    return rows


def read_lines(
    grey: np.ndarray,
    ink: np.ndarray,
    rooms: Sequence[Room],
    *,
    budget_s: float,
    recogniser=None,
    unread: dict[int, list[list[TextLine]]] | None = None,
) -> tuple[list[Word], bool]:
    """Read the candidate lines inside rooms; returns the words and whether all were read.

    Reading goes in rounds over all rooms at once, a row of text per room per round (two in
    the first), nearest the room's centre first, and stops for a room once it has a name and
    a size, or once its first rows held neither (furniture marks): a room is read no further
    than it needs.
    Rounds stop when `budget_s` seconds of this thread's CPU time have passed: CPU time, not
    wall time, so a busy machine (other requests, other workers) reads the same lines and
    gives the same document; it still bounds a page with thousands of lines.
    `unread`, when given, receives each room's rows left unread (for `split.py`).
    """
    if recogniser is None:
        from .ocr import recogniser as shared

        recogniser = shared()  # loaded once per process, before the page's clock starts
    start = time.thread_time()
    index = room_index(grey.shape, rooms)
    by_room: dict[int, list[TextLine]] = {}
    for line in page_text_lines(ink):
        room = room_around(index, line)
        if room is not None:
            by_room.setdefault(room, []).append(line)
    queues = {
        k: _line_rows(v, room_centre(rooms[k]))[:MAX_ROWS_PER_ROOM] for k, v in by_room.items()
    }
    if not queues:
        return [], True
    words: dict[int, list[Word]] = {k: [] for k in queues}
    done = dict.fromkeys(queues, 0)  # rows read per room
    open_rooms = set(queues)
    first = True
    while open_rooms:
        if time.thread_time() - start > budget_s:
            log.info("text budget spent with %d rooms not fully read", len(open_rooms))
            return [w for k in sorted(words) for w in words[k]], False
        batch: list[tuple[int, TextLine]] = []
        for k in sorted(open_rooms):
            take = queues[k][done[k] : done[k] + (2 if first else 1)]
            done[k] += len(take)
            batch += [(k, ln) for row in take for ln in row]
        first = False
        readings = recogniser.read([_crop(grey, ink, ln) for _, ln in batch])
        for (k, line), reading in zip(batch, readings, strict=True):
            if reading.text and reading.confidence >= MIN_CONFIDENCE:
                words[k].append(Word(reading.text, line.box, reading.confidence, k))
        for k in list(open_rooms):
            t = room_text(words[k])
            found_any = t.label is not None or t.dimensions is not None
            complete = t.label is not None and t.dimensions is not None
            if complete or done[k] >= len(queues[k]) or not found_any:
                open_rooms.discard(k)
    if time.thread_time() - start > budget_s:
        return [w for k in sorted(words) for w in words[k]], False
    _read_names_above_sizes(grey, ink, words, recogniser)
    if unread is not None:
        unread.update({k: q[done[k] :] for k, q in queues.items() if done[k] < len(q)})
    return [w for k in sorted(words) for w in words[k]], True


def _read_names_above_sizes(grey, ink, words: dict[int, list[Word]], recogniser) -> None:
    """A second look for the name of each room whose size was read but no name: the row of
    ink just above the size, where plans print the name. Its letters were no line of their
    own when a door's swing touches them ("WC" on the arc's end). Only a reading that
    names a room type is kept: this row is a guess, and a confident wrong name is worse
    than none."""
    bands: list[tuple[int, TextLine]] = []
    for k, ws in words.items():
        t = room_text(ws)
        if t.label is not None or t.dimensions is None:
            continue
        size = next(w for w in ws if parse_dimensions(w.text) is not None)
        band = name_band(ink, tuple(int(v) for v in size.box))
        if band is not None:
            bands.append((k, band))
    if not bands:
        return
    readings = recogniser.read([_crop(grey, ink, ln) for _, ln in bands])
    for (k, line), reading in zip(bands, readings, strict=True):
        if reading.confidence < MIN_CONFIDENCE or not looks_like_name(reading.text):
            continue
        if type_of_label(correct_name(reading.text.strip())) is not None:
            words[k].append(Word(reading.text, line.box, reading.confidence, k))


def name_band(ink: np.ndarray, size_box: tuple[int, int, int, int]) -> TextLine | None:
    """The row of ink just above a room's size line (box [x, y, w, h], px), as a line to
    read: from the first rows above it that hold as much ink as text does, up to
    `NAME_ROWS` of the size's heights; as wide as the size and the ink beside it."""
    x, y, w, h = size_box
    W = ink.shape[1]
    x0, x1 = max(0, x - h), min(W, x + w + h)
    top = max(0, y - 3 * h)
    rows = ink[top:y, x0:x1].sum(axis=1)[::-1]  # upwards from the size line
    if rows.size == 0 or rows.max() == 0:
        return None
    start = int(np.argmax(rows >= 0.25 * rows.max()))
    y1 = y - start
    y0 = max(0, y1 - round(NAME_ROWS * h))
    band = ink[y0:y1]
    # wider while the columns beside hold ink (a name longer than its size line)
    for _ in range(4):
        if x0 > 0 and band[:, max(0, x0 - h) : x0].any():
            x0 = max(0, x0 - h)
        if x1 < W and band[:, x1 : x1 + h].any():
            x1 = min(W, x1 + h)
    if y1 - y0 < 0.5 * h:
        return None
    return TextLine((x0, y0, x1 - x0, y1 - y0), 0, float(h))


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
    out = []
    for row in rows:
        # a stray mark beside a line (a fixture's letter, a speck read as "4") is no part of it
        if len(row) > 1:
            row = [w for w in row if len(w.text.strip()) > 1] or row
        out.append(" ".join(w.text for w in sorted(row, key=lambda w: w.box[0])))
    return out


def _name_of(row: str) -> str:
    """A name as read, corrected, without the mark a stroke after it is read as (a comma,
    a slash)."""
    return correct_name(row.strip().rstrip(",;:/\\|").strip())


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
            names.append(_name_of(row))
    label = re.sub(r"\s+", " ", " ".join(names)).strip() or None
    metric = [d for d in dims if d.system == "metric"]
    chosen = (metric or dims or [None])[0]
    return RoomText(label, type_of_label(label), chosen)


def polygon_floor(room: Room) -> Floor:
    """A room's floor from its polygon alone: its box along its own axes and its area, to
    its pixels' outer edges."""
    pts = np.asarray(room.polygon, np.float32).reshape(-1, 1, 2)
    (_, _), (w, h), _ = cv2.minAreaRect(pts)
    w, h = covered_sides_px((float(w), float(h)))
    area = covered_area_px(room.area_px, room.perimeter_px)
    return Floor(area, (w, h), area / (w * h) if w * h > 0 else 0.0)


def annotate_rooms(
    rooms: Sequence[Room],
    words: list[Word],
    scale: Scale | None,
    bar: Scale = NO_SCALE,
    floors: Sequence[Floor] | None = None,
) -> PageText:
    """Rooms with label, type, dimensions and areas from the words read inside them, and the
    page's scale (`scale` if given, e.g. a PDF's stated scale; else from the scale `bar`
    read and the dimensions)."""
    by_room: dict[int, list[Word]] = {}
    for w in words:
        if w.room is not None:
            by_room.setdefault(w.room, []).append(w)
    texts = [room_text(by_room.get(k, [])) for k in range(len(rooms))]
    if floors is None:  # no page to measure on: the polygons' own pixels
        floors = [polygon_floor(r) for r in rooms]
    sides = []
    for room, t, f in zip(rooms, texts, floors, strict=True):
        if t.dimensions is not None:
            sides.append(RoomSides(room.id, f.sides_px, t.dimensions.sides_m, f.fill))
    if scale is None or not scale.known:
        scale = with_scale_bar(bar, scale_from_dimensions(sides) if sides else NO_SCALE)
    out = []
    for room, t, f in zip(rooms, texts, floors, strict=True):
        area_px = f.area_px
        area_m2 = area_px / scale.px_per_m**2 if scale.known else None  # type: ignore[operator]
        out.append(
            replace(
                room,
                label=t.label,
                # a name's type wins; else the type the drawing gave (detector.room_types)
                type=t.type or room.type,
                dimensions=None if t.dimensions is None else t.dimensions.to_dict(),
                area_m2=None if area_m2 is None else round(area_m2, 3),
                area_ft2=None if area_m2 is None else round(area_m2 * M2_TO_FT2, 2),
            )
        )
    return PageText(out, scale, words)
