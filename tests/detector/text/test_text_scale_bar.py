"""A drawn scale bar gives the page's scale: ticks on a line, the numbers over them, a unit."""

from __future__ import annotations

import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector
from detector.text.scale import NO_SCALE, Scale, with_scale_bar
from detector.text.scale_bar import Bar, Label, fit_bar
from detector_dev.synthetic import draw_plan

DETECTOR = OpenCVDetector(DetectorConfig(text_budget_ms=60_000))


@pytest.mark.parametrize(("seed", "unit"), [(2, "m"), (5, "ft"), (13, "m"), (21, "ft")])
def test_a_plan_with_only_a_scale_bar(seed, unit):
    # names but no sizes in the rooms: the bar is all that gives the scale
    plan = draw_plan(seed, 1200, 900, sizes=False, scale_bar_unit=unit)
    page = DETECTOR.detect_page(plan.image)
    assert page.scale["method"] == "scale_bar"
    assert page.scale["px_per_m"] == pytest.approx(plan.px_per_m, rel=0.02)
    assert page.scale["confidence"] >= 0.8
    assert any(r.area_m2 is not None for r in page.rooms)


def test_a_bar_and_the_rooms_sizes_agree():
    plan = draw_plan(3, 1200, 900, scale_bar_unit="m")
    scale = DETECTOR.detect_page(plan.image).scale
    assert scale["method"] == "scale_bar"
    assert scale["px_per_m"] == pytest.approx(plan.px_per_m, rel=0.02)
    assert [o["method"] for o in scale["others"]] == ["dimensions"]
    assert scale["others"][0]["agrees"] is True


def test_no_bar_and_no_sizes_give_no_scale():
    plan = draw_plan(2, 1200, 900, sizes=False)
    page = DETECTOR.detect_page(plan.image)
    assert page.scale["method"] == "none" and page.scale["px_per_m"] is None
    assert all(r.area_m2 is None for r in page.rooms)


def test_the_drawn_bar_leaves_the_plan_as_it_was():
    plain, barred = draw_plan(4, 1200, 900), draw_plan(4, 1200, 900, scale_bar_unit="ft")
    x0, y0, x1, y1 = barred.scale_bar_box
    differs = np.argwhere(plain.image != barred.image)
    assert differs.size and (differs.min(axis=0) >= (y0, x0)).all()
    assert (differs.max(axis=0) < (y1, x1)).all()
    assert (plain.labels == barred.labels).all()


BAR = Bar(x0=100, x1=600, y0=50, y1=51, ticks=(100, 200, 300, 400, 500, 599), side=-1, reach=8)


def words(*texts, at=(100, 200, 300, 400, 500, 599)):
    return [Label(x - 6, x + 6, 30, 42, t) for x, t in zip(at, texts, strict=False)]


def test_fit_in_metres_and_feet():
    s = fit_bar(BAR, words("0", "1", "2", "3", "4", "5 m"))
    assert s.method == "scale_bar" and s.px_per_m == pytest.approx(100, rel=0.01)
    s = fit_bar(BAR, words("0", "5", "10", "15", "20", "25ft"))
    assert s.px_per_m == pytest.approx(20 / 0.3048, rel=0.01)


def test_a_misread_number_is_outvoted():
    s = fit_bar(BAR, words("0", "1", "7", "3", "4", "5 m"))
    assert s.px_per_m == pytest.approx(100, rel=0.01)
    assert s.confidence < 1


@pytest.mark.parametrize(
    "texts",
    [
        ("0", "1", "2", "3", "4", "5"),  # no unit: metres or feet would be a guess
        ("a", "b", "c", "d", "e", "f m"),  # no numbers
        ("0", "0", "0", "0", "0", "0 m"),  # no slope
        ("5", "4", "3", "2", "1", "0 m"),  # running backwards
        ("0", "1 ft", "2 m"),  # two units
        (),
    ],
)
def test_garbage_gives_no_scale(texts):
    assert fit_bar(BAR, words(*texts)) == NO_SCALE


def test_a_bar_and_sizes_that_disagree_are_reported():
    bar = Scale(100.0, "scale_bar", 1.0, 6)
    dims = Scale(120.0, "dimensions", 0.8, 5, ("room-003",))
    s = with_scale_bar(bar, dims)
    assert (s.px_per_m, s.method, s.confidence) == (100.0, "scale_bar", 0.5)
    assert s.others == (("dimensions", 120.0, False),) and s.outliers == ("room-003",)
    assert s.to_dict()["others"] == [{"method": "dimensions", "px_per_m": 120.0, "agrees": False}]
    agree = with_scale_bar(bar, Scale(101.0, "dimensions", 0.5, 3))
    assert agree.method == "scale_bar" and agree.px_per_m == 100.0 and agree.confidence == 1.0
    assert with_scale_bar(NO_SCALE, dims) == dims
    assert with_scale_bar(bar, NO_SCALE) == bar
