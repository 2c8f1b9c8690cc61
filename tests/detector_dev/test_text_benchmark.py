"""The text benchmark's figures on one drawn plan: they measure, and they can fail."""

from __future__ import annotations

from detector_dev.text_benchmark import drawn_figures, format_drawn


def test_drawn_figures_on_one_plan():
    f = drawn_figures([1])
    assert f.plans == 1 and f.rooms >= 5 and f.scale_found == 1
    assert abs(f.scale_errors[0]) <= 0.02
    assert len(f.area_errors) == f.rooms
    assert 0 < f.named <= f.rooms
    assert f.ms_on[0] > f.ms_off[0] > 0
    lines = format_drawn(f)
    assert lines[0].startswith("drawn plans: 1 plans") and "within 2%: 1.000" in lines[1]
