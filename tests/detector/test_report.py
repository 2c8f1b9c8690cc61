"""`location-detector report`: one offline HTML page, checked in a real browser (chromium)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import pytest

from detector.cli import EXIT_OK, EXIT_USAGE, main
from detector.report import Entry, render_html

BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory, small_plan) -> Path:
    """Three plans through `detect`: one with its overlay PNG beside its document, one whose
    overlay the report draws from the plan (source.uri), one that failed."""
    root = tmp_path_factory.mktemp("report")
    plans = root / "plans"
    plans.mkdir()
    cv2.imwrite(str(plans / "house.png"), small_plan.image)
    cv2.imwrite(str(plans / "flat.png"), small_plan.image[:, :400])
    (plans / "notes.png").write_text("a shopping list")
    out = root / "results"
    main(["detect", str(plans / "house.png"), "--out", str(out), "--overlay"])
    main(["detect", str(plans / "flat.png"), str(plans / "notes.png"), "--out", str(out)])
    (out / "unrelated.json").write_text('{"not": "a results document"}')
    return out


def _browser() -> str:
    found = shutil.which("chromium")
    assert found, "chromium is missing: `make test` installs it (apt-get install chromium)"
    return found


def _dump_dom(page: Path, profile: Path) -> str:
    done = subprocess.run(
        [_browser(), *BROWSER_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_report_of_a_folder_in_a_real_browser(results, tmp_path, capsys):
    page = tmp_path / "report.html"
    assert main(["report", str(results), "--out", str(page)]) == EXIT_OK
    assert "3 plans (1 failed)" in capsys.readouterr().out
    html = page.read_text()
    # self-contained: nothing to fetch, and the page forbids itself any request
    assert not re.search(r'(?:src|href)="(?!data:)', html)
    assert "default-src 'none'" in html

    dom = _dump_dom(page, tmp_path / "profile")
    assert len(re.findall(r'<section class="plan"', dom)) == 3
    assert re.search(r'<b id="plan-count">3</b>', dom)
    # both successful plans' pictures decoded by the browser (the page's script counts them)
    assert re.search(r'<body[^>]* data-images-loaded="2"', dom), dom[:2000]
    assert "2 of 2 pictures shown" in dom
    assert "UnsupportedFormatError" in dom and "a shopping list" not in dom
    house = json.loads((results / "house.json").read_text())
    assert (
        dom.count('<tr class="room">')
        == house["room_count"] + json.loads((results / "flat.json").read_text())["room_count"]
    )


def test_labels_types_and_metric_areas_are_shown_when_present(results):
    """Schema 1.1 adds `label`, `type` and `area_m2` to a room: the table shows their columns
    only when some room has them."""
    doc = json.loads((results / "house.json").read_text())
    plain = copy.deepcopy(doc)
    for room in plain["pages"][0]["rooms"]:
        for field in ("label", "type", "area_m2"):
            room.pop(field, None)
    html = render_html([Entry("house.json", plain)], "t")
    assert 'table class="rooms nometric nolabel notype"' in html
    named = copy.deepcopy(plain)
    named["pages"][0]["rooms"][0].update(label="Kitchen", type="kitchen", area_m2=12.34)
    html = render_html([Entry("house.json", named)], "t")
    assert 'table class="rooms"' in html
    assert '<td class="label">Kitchen</td><td class="type">kitchen</td>' in html
    assert ">12.3<" in html


def test_nothing_to_report_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "--out", str(tmp_path / "r.html")]) == 2
    assert main(["report", str(tmp_path / "nope")]) == EXIT_USAGE
    assert not (tmp_path / "r.html").exists()
    assert "no results documents" in capsys.readouterr().err


def test_overlay_from_a_results_document(results, tmp_path, small_plan, capsys):
    plans = results.parent / "plans"
    out = tmp_path / "flat.png"
    args = ["overlay", str(results / "flat.json"), "--image", str(plans / "flat.png")]
    assert main([*args, "--out", str(out)]) == EXIT_OK
    drawn = cv2.imread(str(out))
    assert drawn.shape == (480, 400, 3)
    # coloured where the rooms are, the plan's own grey elsewhere
    assert (drawn.std(axis=2) > 20).mean() > 0.2
    # another plan's bytes are refused, not drawn over
    wrong = ["overlay", str(results / "flat.json"), "--image", str(plans / "house.png")]
    assert main([*wrong, "--out", str(tmp_path / "x.png")]) == 1
    assert "not the plan of the document" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
