"""`make demo` (localstack/product_demo.py) on the end-to-end tests' pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from localrun.client import Client

pytestmark = pytest.mark.slow


def test_product_demo_leaves_documents_overlays_and_a_report(pipe: Client, tmp_path: Path) -> None:
    """`make demo`'s body (localstack/product_demo.py) on this pipeline, twice: the second run
    uploads new versions of the same keys and must report those, not the first run's."""
    from product_demo import run_demo

    out = tmp_path / "demo"
    for _ in range(2):
        assert run_demo(pipe, out, seed=7)
        names = sorted(p.name for p in out.iterdir())
        assert names == [
            "house.json",
            "house.overlay.png",
            "l-shaped-house.json",
            "l-shaped-house.overlay.png",
            "report.html",
            "scanned-flat.json",
            "scanned-flat.overlay.png",
            "shopping-list.json",
        ]
        html = (out / "report.html").read_text()
        assert html.count('<section class="plan"') == 4 and html.count('class="thumb"') == 3
