"""A PDF with a text layer: its words are read exactly (no OCR) and a printed 1:N on a page of
known size gives the scale (`stated_scale`); "not to scale" takes that away."""

from __future__ import annotations

import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import OpenCVDetector
from detector_dev.pdf import pdf_document

PT_PER_M_AT_1_50 = 1000 / 25.4 * 72 / 50  # points of paper per metre of building at 1:50


def vector_plan_pdf(title: str) -> bytes:
    """An A4 page drawn as an architect's CAD exports it: two rooms 3.5 x 3.0 m and
    2.5 x 3.0 m inside 0.2 m walls, at 1:50, names and sizes as text objects."""
    m = PT_PER_M_AT_1_50
    x0, y0, t = 100.0, 300.0, 0.2 * m
    w1, w2, h = 3.5 * m, 2.5 * m, 3.0 * m
    outer_w, outer_h = w1 + w2 + 3 * t, h + 2 * t
    walls = [
        (x0, y0, outer_w, t),  # bottom
        (x0, y0 + outer_h - t, outer_w, t),  # top
        (x0, y0, t, outer_h),  # left
        (x0 + outer_w - t, y0, t, outer_h),  # right
        (x0 + t + w1, y0, t, outer_h),  # the partition
    ]
    ops = ["0 g"] + [f"{x:.2f} {y:.2f} {w:.2f} {hh:.2f} re f" for x, y, w, hh in walls]

    def text(s: str, x: float, y: float, size: float = 9) -> str:
        return f"BT /F1 {size} Tf {x:.2f} {y:.2f} Td ({s}) Tj ET"

    cy = y0 + t + h / 2
    ops += [
        text("Bedroom", x0 + t + w1 / 2 - 18, cy + 6),
        text("3.50 x 3.00", x0 + t + w1 / 2 - 22, cy - 6),
        text("Kitchen", x0 + 2 * t + w1 + w2 / 2 - 16, cy + 6),
        text("2.50 x 3.00", x0 + 2 * t + w1 + w2 / 2 - 22, cy - 6),
        text(title, 300, 120, 12),
    ]
    return pdf_document("\n".join(ops).encode(), size_pt=(595, 842), fonts={"F1": "Helvetica"})


@pytest.fixture(scope="module")
def detector() -> OpenCVDetector:
    return OpenCVDetector(DetectorConfig(text_budget_ms=60_000))


def rooms_by_label(page):
    return {r["label"]: r for r in page["rooms"] if r["label"]}


def test_text_layer_and_stated_scale(detector):
    doc = detector.process(vector_plan_pdf("GROUND FLOOR  SCALE 1:50 @ A4"), name="plan.pdf")
    page = doc["pages"][0]
    dpi = detector.config.pdf_dpi
    assert page["scale"]["method"] == "stated_scale" and page["scale"]["stated"] == "1:50"
    assert page["scale"]["px_per_m"] == pytest.approx(dpi / 0.0254 / 50, rel=1e-3)
    rooms = rooms_by_label(page)
    assert set(rooms) == {"Bedroom", "Kitchen"}
    assert rooms["Bedroom"]["type"] == "bedroom" and rooms["Kitchen"]["type"] == "kitchen"
    assert rooms["Bedroom"]["dimensions"]["sides_m"] == [3.5, 3.0]
    assert rooms["Bedroom"]["area_m2"] == pytest.approx(10.5, rel=0.03)
    assert rooms["Kitchen"]["area_m2"] == pytest.approx(7.5, rel=0.03)
    assert all(w["confidence"] == 1.0 for w in page["text"])  # read, not recognised


def test_not_to_scale_falls_back_to_the_stated_sizes(detector):
    doc = detector.process(vector_plan_pdf("NOT TO SCALE 1:50"), name="plan.pdf")
    page = doc["pages"][0]
    assert page["scale"]["method"] == "dimensions"
    assert page["scale"]["px_per_m"] == pytest.approx(
        detector.config.pdf_dpi / 0.0254 / 50, rel=0.02
    )
