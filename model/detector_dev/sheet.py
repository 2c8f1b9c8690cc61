"""The sheet a synthetic plan is drawn on, and the geometry its parts share.

Integer pixels throughout; boxes are half-open (x0, y0, x1, y1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1, half-open


@dataclass(frozen=True)
class Rect:
    """Room rectangle on wall centre lines, integer pixels, half-open: [x0, x1) x [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0


@dataclass(frozen=True)
class Wall:
    """An interior wall on a split line: axis 'v' (x = pos) or 'h' (y = pos), from lo to hi."""

    axis: str
    pos: int
    lo: int
    hi: int
    thickness: int


@dataclass
class Sheet:
    """The page being drawn and the measures every part of the drawing derives from.

    Margins (left, top, right, bottom) hold dimension lines, the compass and the title
    block; the building's box is [bx0, bx1) x [by0, by1). Lengths are pixels, converted
    from metres of the building through `px_per_m` (`px`).
    """

    img: np.ndarray
    rng: np.random.Generator
    margins: tuple[int, int, int, int]
    building: Box
    px_per_m: float
    thin: int = 1
    t_ext: int = 1
    t_int: list[int] = field(default_factory=list)
    min_side: int = 1

    def px(self, m: float) -> int:
        """`m` metres of the building in pixels (at least 1)."""
        return max(1, round(m * self.px_per_m))


def band(axis: str, pos: int, lo: int, hi: int, t: int) -> tuple[int, int, int, int]:
    """Pixel box (x0, y0, x1, y1), half-open, of a wall of thickness t centred on a line."""
    a, b = pos - t // 2, pos - t // 2 + t
    return (a, lo, b, hi) if axis == "v" else (lo, a, hi, b)


def fill(img: np.ndarray, box: tuple[int, int, int, int], value: int | bool) -> None:
    x0, y0, x1, y1 = box
    img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = value
