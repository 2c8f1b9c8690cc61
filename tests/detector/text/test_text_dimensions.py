"""Dimensions as written -> metres; a bare number or a misread is nothing, not a guess."""

from __future__ import annotations

import pytest

from detector.text.dimensions import parse_dimensions, parse_stated_scale


@pytest.mark.parametrize(
    ("text", "sides", "system"),
    [
        ("3.57 x 2.61", (3.57, 2.61), "metric"),
        ("(4.5m x 3.3m)", (4.5, 3.3), "metric"),
        ("3.82×2.06m", (3.82, 2.06), "metric"),
        ("3.0 mX 3.4 m", (3.0, 3.4), "metric"),
        ("320 x 410cm", (3.2, 4.1), "metric"),
        ("3,57 x 2,61", (3.57, 2.61), "metric"),
        ("14'8 × 10'10", (14 * 0.3048 + 8 * 0.0254, 10 * 0.3048 + 10 * 0.0254), "imperial"),
        ("10'9\" x 8'11\"", (10 * 0.3048 + 9 * 0.0254, 8 * 0.3048 + 11 * 0.0254), "imperial"),
        ("17' x 14'9\"", (17 * 0.3048, 14 * 0.3048 + 9 * 0.0254), "imperial"),
        ("5'9 × 5°1", (5 * 0.3048 + 9 * 0.0254, 5 * 0.3048 + 1 * 0.0254), "imperial"),
        ("9.8 ft X 11.1 ft", (9.8 * 0.3048, 11.1 * 0.3048), "imperial"),
    ],
)
def test_parsed(text, sides, system):
    d = parse_dimensions(text)
    assert d is not None
    assert d.system == system
    assert d.sides_m == pytest.approx(sides, abs=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "206 × 103",  # feet with the marks lost, or cm: unknown
        "148x1010",
        "1285 Sq.Ft. / 119.4 Sq.M.",
        "BEDROOM",
        "0.01 x 0.02",  # no room is 1 cm wide
        "99.9 x 120.5",  # nor 120 m
        "12'15 x 10'2",  # 15 inches is no reading
        "",
    ],
)
def test_nothing(text):
    assert parse_dimensions(text) is None


def test_stated_scale():
    assert parse_stated_scale("SCALE 1:100") == 100
    assert parse_stated_scale("1 : 50 @ A3") == 50
    assert parse_stated_scale("12:30") is None
    assert parse_stated_scale("1.5:1") is None
