"""Where the text of a plan is: lines of letter-sized ink, found without any network.

Letters are the small connected pieces of ink (walls, furniture outlines and dimension lines
are large pieces, specks are tiny). A line is letters that sit side by side within about a
letter's height of each other; closing the letter mask along the line joins them. Lines
running down the page (a narrow room's name turned 90 degrees) are found the same way on the
turned mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# Letter sizes as fractions of the page's shorter side: smaller is a speck, taller is a
# symbol or a drawn line. Plans print room names between about 1/150 and 1/25 of the page.
MIN_LETTER = 1 / 250
MAX_LETTER = 1 / 18
STRAIGHT = 2.0  # (letter heights) straight runs longer than this are drawn lines
MIN_LETTER_PX = 5  # smaller cannot be read, whatever the page size
RUN = 8  # touching letters form a piece at most this many times as long as it is tall
MARK = 1.5  # (letter heights) marks beside letters (dots, the x of "3 x 4") are no bigger
JOIN = 1.3  # letters of a line are at most this many letter heights apart (a space)
# A page bigger than this is searched for lines at a power-of-two reduction (the lines' crops
# are still read at full size): finding lines costs the page's pixels, about 4 s of CPU on a
# 27 MP scan, and the letter sizes above are shares of the page, so a reduced page finds the
# same letters.
SEARCH_PIXELS = 4_000_000
MAX_MERGES = 8  # rounds of merging the places found (a page of text settles in two or three)
MIN_SEARCH_LETTER_PX = 24  # letters at least this tall where they are searched for (at 16 px, a
# quarter of a 27 MP scan, lines came out a letter short)


@dataclass(frozen=True)
class TextLine:
    """A candidate line of text: its box [x, y, w, h] in page pixels, its letters' count and
    height, and whether it runs down the page (`vertical`: read after turning it upright)."""

    box: tuple[int, int, int, int]
    letters: int
    letter_px: float
    vertical: bool = False

    @property
    def centre(self) -> tuple[float, float]:
        x, y, w, h = self.box
        return x + w / 2, y + h / 2


def straight_runs(ink: np.ndarray, *, min_length_px: float) -> np.ndarray:
    """Horizontal and vertical runs of ink at least `min_length_px` long (bool HxW)."""
    n = max(3, round(min_length_px))
    u8 = ink.view(np.uint8)
    runs = cv2.morphologyEx(u8, cv2.MORPH_OPEN, np.ones((1, n), np.uint8))
    runs |= cv2.morphologyEx(u8, cv2.MORPH_OPEN, np.ones((n, 1), np.uint8))
    return runs > 0


def letter_mask(ink: np.ndarray, side: int | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Letter-sized pieces of `ink` (bool HxW), the marks no bigger than a letter (dots,
    apostrophes, the x between two lengths, as well as letters) and the letters' median
    height (px; 0 if none). `side`: the page's shorter side, when `ink` is a window of it."""
    if ink.dtype != bool:
        raise TypeError("ink must be a boolean mask")
    side = side or min(ink.shape)
    lo, hi = max(MIN_LETTER_PX, MIN_LETTER * side), max(MIN_LETTER_PX + 1, MAX_LETTER * side)
    _, lab, stats, _ = cv2.connectedComponentsWithStats(ink.view(np.uint8), connectivity=8)
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    area = stats[:, cv2.CC_STAT_AREA]
    big, short = np.maximum(w, h), np.minimum(w, h)
    # a letter: short side and long side within the letter range (an "l" or "1" is thin,
    # an "m" is wide), and not a long thin stroke (a line or an arc's piece)
    single = (big >= lo) & (big <= hi) & (short <= hi) & (area >= 0.08 * w * h)
    # letters that touch ("room" in a bold font) are one piece: a letter tall, a few wide,
    # and as full of ink as letters are (a line's piece is not)
    run = (short >= lo) & (short <= hi) & (big <= RUN * short) & (area >= 0.25 * w * h)
    ok = single | run
    ok[0] = False
    if not ok.any():
        empty = np.zeros(ink.shape, bool)
        return empty, empty, 0.0
    letter_px = float(np.median(np.where(single, big, short)[ok]))
    # marks: letters, and what is no bigger than one (a door swing's end is no mark: it
    # would join a name beside it into a block too tall for a line)
    marks = (big <= MARK * letter_px) | ok
    marks[0] = False
    return ok[lab], marks[lab], letter_px


def _lines(
    letters: np.ndarray, marks: np.ndarray, letter_px: float, vertical: bool
) -> list[TextLine]:
    mask = letters.T if vertical else letters
    gap = max(2, round(JOIN * letter_px))
    joined = cv2.morphologyEx(
        (marks.T if vertical else marks).view(np.uint8),
        cv2.MORPH_CLOSE,
        np.ones((1, gap), np.uint8),
    )
    n, lab, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    # letters per line: the distinct letters (components of `mask`) in each joined line
    n_l, lab_l = cv2.connectedComponents(mask.view(np.uint8), connectivity=8)
    per_line = np.zeros(n, np.int32)
    if n_l > 1:
        pairs = np.unique(lab[mask].astype(np.int64) * n_l + lab_l[mask])
        np.add.at(per_line, pairs // n_l, 1)
    out = []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        letters_k = int(per_line[k])
        if letters_k == 0:
            continue  # marks without a letter: dots, ticks
        if vertical and letters_k < 3:
            continue  # a letter or two stacked is no turned line
        if h > 2.5 * letter_px or w < 0.5 * h:
            continue  # symbols, or letters stacked on each other
        if h < 0.5 * letter_px:
            continue  # dashes and short strokes in a row: no letter is this low
        if letters_k < 2 and w < 1.5 * h:
            continue  # one mark alone: a fixture's letter, an arrow head, a speck
        box = (int(y), int(x), int(h), int(w)) if vertical else (int(x), int(y), int(w), int(h))
        out.append(TextLine(box, letters_k, letter_px, vertical))
    return out


def text_lines(
    ink: np.ndarray, *, vertical: bool = True, side: int | None = None
) -> list[TextLine]:
    """Candidate lines of text on a page's ink (bool HxW), horizontal ones first.

    With `vertical`, lines whose letters run down the page are added: letters grouped down
    the page into a run of at least three, which no horizontal line already holds. `side`:
    the page's shorter side, when `ink` is a window of it.
    """
    _, _, letter_px = letter_mask(ink, side)
    if letter_px == 0:
        return []
    # Letters touching a straight drawn line (furniture, a wall's face, a dimension line) are
    # part of a big piece of ink; with the straight runs longer than any letter's stroke
    # taken out, they stand alone again.
    ink = ink & ~straight_runs(ink, min_length_px=STRAIGHT * letter_px)
    letters, marks, letter_px = letter_mask(ink, side)
    if letter_px == 0:
        return []
    lines = _lines(letters, marks, letter_px, vertical=False)
    if vertical:
        taken = np.zeros(ink.shape, bool)
        for ln in lines:
            if ln.letters >= 2:
                x, y, w, h = ln.box
                taken[y : y + h, x : x + w] = True
        for ln in _lines(letters & ~taken, marks & ~taken, letter_px, vertical=True):
            x, y, w, h = ln.box
            if h > 2 * w:
                lines.append(ln)
    return lines


def page_text_lines(ink: np.ndarray, *, vertical: bool = True) -> list[TextLine]:
    """`text_lines` of a page of any size, in page pixels.

    A page over `SEARCH_PIXELS` is searched at the largest power-of-two reduction that brings
    it under, or less reduced while its letters would be under `MIN_SEARCH_LETTER_PX` there
    (a pixel of the reduced page is ink when a quarter of what it stands for is). That says
    where text is; each place, widened by two letters, is searched again at full size, so
    the lines are the page's own (on the reduced page a line's first letter could be lost).
    """
    factor = 1
    while ink.size / factor**2 > SEARCH_PIXELS:
        factor *= 2
    H, W = ink.shape
    while factor > 1:
        small = cv2.resize(
            ink.view(np.uint8) * np.uint8(255),
            (max(1, W // factor), max(1, H // factor)),
            interpolation=cv2.INTER_AREA,
        )
        found = text_lines(small >= 64, vertical=vertical)
        if found and found[0].letter_px < MIN_SEARCH_LETTER_PX:
            factor //= 2
            continue
        out: list[TextLine] = []
        for x0, y0, x1, y1 in _places(found, factor, (H, W)):
            for ln in text_lines(ink[y0:y1, x0:x1], vertical=vertical, side=min(H, W)):
                x, y, w, h = ln.box
                out.append(TextLine((x + x0, y + y0, w, h), ln.letters, ln.letter_px, ln.vertical))
        return out
    return text_lines(ink, vertical=vertical)


def _places(lines: list[TextLine], factor: int, shape: tuple[int, int]) -> list[tuple[int, ...]]:
    """The boxes (x0, y0, x1, y1, page px) of lines found on a page reduced `factor` times,
    each widened by two letters, with those that overlap merged until none does (so no line
    is found twice). On the reduced grid: a page of thousands of lines costs its pixels,
    not pairs of boxes."""
    H, W = shape
    h, w = max(1, H // factor), max(1, W // factor)
    boxes = []
    for ln in lines:
        pad = 2 * ln.letter_px
        x, y, bw, bh = ln.box
        boxes.append((int(x - pad), int(y - pad), int(x + bw + pad) + 1, int(y + bh + pad) + 1))
    for _ in range(MAX_MERGES):
        mask = np.zeros((h, w), np.uint8)
        for x0, y0, x1, y1 in boxes:
            mask[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 1
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        merged = [(int(x), int(y), int(x + bw), int(y + bh)) for x, y, bw, bh, _ in stats[1:n]]
        if len(merged) == len(boxes) or len(merged) <= 1:
            boxes = merged
            break
        boxes = merged  # a merged box may now overlap another: once more
    else:
        boxes = [(0, 0, w, h)]  # still overlapping after MAX_MERGES: the whole page, once
    return [
        (x0 * factor, y0 * factor, min(W, x1 * factor), min(H, y1 * factor))
        for x0, y0, x1, y1 in boxes
    ]
