"""Room dimensions as written ("3.57 x 2.61", "4.5m x 3.3m", "14'8 x 10'10", 10'9" x 8'11")
parsed into metres.

A dimension is two lengths joined by x, × or *. Metric lengths carry a decimal point or a
unit (m, cm, mm); feet carry a foot mark (' or ′, and ° which OCR reads for it), with inches
optional. Bare integers ("206 x 103") are read as nothing: they are feet with the marks lost
as often as centimetres, and a guess is not a measurement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FOOT_M = 0.3048
INCH_M = 0.0254
# Plausible room sides (m): smaller or larger readings are misreads, not rooms.
MIN_SIDE_M, MAX_SIDE_M = 0.4, 60.0

_BY = r"\s*[x×X\*✕]\s*"
_NUM = r"\d{1,3}(?:[.,]\d{1,3})?"


def _metric_re(n: str, u: str) -> str:
    return rf"(?P<{n}>{_NUM})\s*(?P<{u}>mm|cm|m)?(?![\d'′°’])"


def _feet_re(f: str, i: str) -> str:
    return rf"(?P<{f}>\d{{1,3}})\s*['′°’]\s*(?:(?P<{i}>\d{{1,2}}(?:\.\d)?)\s*(?:\"|″|”|''|’’)?)?"


def _decimal_feet_re(f: str) -> str:
    return rf"(?P<{f}>{_NUM})\s*(?:ft|feet)\.?"


_DECIMAL_FEET_PAIR = re.compile(
    _decimal_feet_re("fa") + _BY + _decimal_feet_re("fb"), re.IGNORECASE
)
_METRIC_PAIR = re.compile(_metric_re("a", "ua") + _BY + _metric_re("b", "ub"), re.IGNORECASE)
_FEET_PAIR = re.compile(_feet_re("fa", "ia") + _BY + _feet_re("fb", "ib"))


@dataclass(frozen=True)
class Dimensions:
    """Two sides of a room as written, in metres, in the order written."""

    text: str
    sides_m: tuple[float, float]
    system: str  # "metric" or "imperial"

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "sides_m": [round(s, 3) for s in self.sides_m],
            "system": self.system,
        }


def _metric(number: str, unit: str | None) -> float | None:
    if unit is None and not re.search(r"[.,]", number):
        return None  # a bare integer: no unit, no decimal point
    value = float(number.replace(",", "."))
    scale = {"mm": 0.001, "cm": 0.01}.get((unit or "m").lower(), 1.0)
    return value * scale


def _feet(feet: str, inches: str | None) -> float | None:
    inch = float(inches) if inches else 0.0
    if inch >= 12:
        return None
    return int(feet) * FOOT_M + inch * INCH_M


def _plausible(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and all(MIN_SIDE_M <= s <= MAX_SIDE_M for s in (a, b))


def parse_dimensions(text: str) -> Dimensions | None:
    """The first room dimension written in `text`, or None when there is none.

    Feet-and-inches are tried first (their marks make them unambiguous), then metric.
    """
    for m in _FEET_PAIR.finditer(text):
        a, b = _feet(m["fa"], m["ia"]), _feet(m["fb"], m["ib"])
        if _plausible(a, b):
            return Dimensions(m.group(0).strip(), (a, b), "imperial")  # type: ignore[arg-type]
    for m in _DECIMAL_FEET_PAIR.finditer(text):  # "9.8 ft x 11.1 ft"
        a, b = (float(m[k].replace(",", ".")) * FOOT_M for k in ("fa", "fb"))
        if _plausible(a, b):
            return Dimensions(m.group(0).strip(), (a, b), "imperial")
    for m in _METRIC_PAIR.finditer(text):
        ua, ub = m["ua"], m["ub"]
        # "3.3 x 2.5m": one unit serves both sides
        a, b = _metric(m["a"], ua or ub), _metric(m["b"], ub or ua)
        if _plausible(a, b):
            return Dimensions(m.group(0).strip(), (a, b), "metric")  # type: ignore[arg-type]
    return None


_STATED_SCALE = re.compile(r"(?<![\d.])1\s*:\s*(\d{1,5})(?![\d.:])")


def parse_stated_scale(text: str) -> int | None:
    """The N of a drawing scale written as "1:N" (e.g. 1:50, 1:100), or None."""
    m = _STATED_SCALE.search(text)
    if not m:
        return None
    n = int(m.group(1))
    return n if 1 <= n <= 10_000 else None
