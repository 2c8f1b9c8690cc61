"""The `location-detector` command: outputs, failure documents and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from detector.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from detector.results import validate_document


@pytest.fixture
def plan_png(tmp_path, small_plan) -> Path:
    path = tmp_path / "plans" / "house.png"
    path.parent.mkdir()
    cv2.imwrite(str(path), small_plan.image)
    return path


def _doc(path: Path) -> dict:
    doc = json.loads(path.read_text())
    validate_document(doc)
    return doc


def test_single_plan_to_a_file_with_overlay(tmp_path, plan_png, small_plan, capsys):
    out = tmp_path / "result.json"
    assert main(["detect", str(plan_png), "--out", str(out), "--overlay"]) == EXIT_OK
    doc = _doc(out)
    assert doc["status"] == "succeeded"
    assert doc["source"]["name"] == "house.png" and doc["source"]["content_type"] == "image/png"
    assert doc["pages"][0]["width"] == 640 and doc["pages"][0]["height"] == 480
    overlay = cv2.imread(str(tmp_path / "result.overlay.png"))
    assert overlay is not None and overlay.shape == (*small_plan.image.shape, 3)
    assert f"{doc['room_count']} rooms" in capsys.readouterr().out


def test_folder_with_good_and_bad_plans(tmp_path, plan_png, capsys):
    folder = plan_png.parent
    (folder / "notes.png").write_text("not an image")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "half.png").write_bytes(plan_png.read_bytes()[:2000])
    (folder / "readme.txt").write_text("ignored: not a plan suffix")
    out = tmp_path / "out"
    assert main(["detect", str(folder), "--out", str(out)]) == EXIT_FAILED
    written = sorted(p.name for p in out.iterdir())
    assert written == ["empty.json", "half.json", "house.json", "notes.json"]
    statuses = {p.stem: _doc(p)["status"] for p in out.iterdir()}
    assert statuses == {
        "empty": "failed",
        "half": "failed",
        "house": "succeeded",
        "notes": "failed",
    }
    failure = _doc(out / "notes.json")
    assert failure["error"]["type"] == "UnsupportedFormatError"
    assert failure["error"]["retryable"] is False
    assert failure["source"]["bytes"] == len("not an image")
    err_lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("error:")]
    # one clear line per failed plan, naming the file and the error
    assert len(err_lines) == 3
    assert any("empty.jpg" in ln and "EmptyInputError" in ln for ln in err_lines)
    assert any("half.png" in ln and "CorruptImageError" in ln for ln in err_lines)


def test_missing_file_fails_with_a_document(tmp_path):
    out = tmp_path / "out"
    assert main(["detect", str(tmp_path / "nope.png"), "--out", str(out)]) == EXIT_FAILED
    doc = _doc(out / "nope.json")
    assert doc["status"] == "failed" and doc["error"]["type"] == "FileNotFoundError"
    assert doc["error"]["retryable"] is False


def test_pdf_pages_each_get_an_overlay(tmp_path, small_plan, pdf_of):
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(pdf_of([small_plan.image, small_plan.image[:, :400]], dpi=150))
    out = tmp_path / "out"
    assert main(["detect", str(pdf), "--out", str(out), "--overlay"]) == EXIT_OK
    doc = _doc(out / "two.json")
    assert [p["index"] for p in doc["pages"]] == [0, 1]
    for i, page in enumerate(doc["pages"], start=1):
        img = cv2.imread(str(out / f"two.page{i}.overlay.png"))
        assert img.shape[:2] == (page["height"], page["width"])


def test_same_names_do_not_overwrite_each_other(tmp_path, small_plan):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        cv2.imwrite(str(tmp_path / d / "plan.png"), small_plan.image)
    out = tmp_path / "out"
    args = ["detect", str(tmp_path / "a" / "plan.png"), str(tmp_path / "b" / "plan.png")]
    assert main([*args, "--out", str(out)]) == EXIT_OK
    assert _doc(out / "plan.json")["source"]["uri"].endswith("a/plan.png")
    assert _doc(out / "plan-2.json")["source"]["uri"].endswith("b/plan.png")


def test_usage_errors_exit_2(tmp_path, plan_png, capsys):
    assert main(["detect", str(plan_png), str(plan_png), "--out", str(tmp_path / "x.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"min_aera": 0.1}))
    assert main(["detect", str(plan_png), "--config", str(bad)]) == EXIT_USAGE
    assert "unknown config key 'min_aera'" in capsys.readouterr().err
    empty = tmp_path / "nothing"
    empty.mkdir()
    assert main(["detect", str(empty)]) == EXIT_USAGE
    with pytest.raises(SystemExit) as exit_info:
        main(["detect"])
    assert exit_info.value.code == 2


def test_without_the_development_package_draw_and_benchmark_say_so(
    tmp_path, plan_png, monkeypatch, capsys
):
    """As where only the runtime is installed (the image): `detect` works, the dev tools explain."""
    for name in [m for m in sys.modules if m.split(".")[0] == "detector_dev"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "detector_dev", None)  # import fails as if absent
    assert main(["draw", str(tmp_path / "p.png"), "--seed", "1"]) == EXIT_USAGE
    assert "needs the development package detector_dev" in capsys.readouterr().err
    assert main(["benchmark", str(tmp_path)]) == EXIT_USAGE
    assert "`benchmark` needs the development package" in capsys.readouterr().err
    assert main(["detect", str(plan_png), "--out", str(tmp_path / "r.json")]) == EXIT_OK
    assert not (tmp_path / "p.png").exists()


def test_config_file_is_used(tmp_path, plan_png):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"max_pixels": 10_000}))
    out = tmp_path / "r.json"
    assert main(["detect", str(plan_png), "--config", str(cfg), "--out", str(out)]) == 1
    doc = _doc(out)
    assert doc["error"]["type"] == "ImageTooLargeError"
    assert doc["detector"]["config"]["max_pixels"] == 10_000


def test_draw_then_detect_as_a_real_process(tmp_path):
    """The entry point as a user runs it: a separate process, exit codes, files on disk."""
    plan = tmp_path / "drawn.png"
    cmd = [sys.executable, "-m", "detector.cli"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "model")}
    drawn = subprocess.run(
        [*cmd, "draw", str(plan), "--seed", "9", "--width", "800", "--height", "600"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert "drew" in drawn.stdout
    res = subprocess.run(
        [*cmd, "detect", str(plan), str(tmp_path / "missing.png"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert res.returncode == 1
    assert "missing.png" in res.stderr and "FileNotFoundError" in res.stderr
    assert "1 succeeded, 1 failed" in res.stdout
    assert np.array_equal(cv2.imread(str(plan), cv2.IMREAD_GRAYSCALE).shape, np.array([600, 800]))
    assert _doc(tmp_path / "drawn.json")["status"] == "succeeded"


def test_blank_pdf_page_is_zero_rooms_not_a_failure(tmp_path, make_vector_pdf, capsys):
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(make_vector_pdf([[]]))
    assert main(["detect", str(pdf), "--out", str(tmp_path)]) == EXIT_OK
    doc = _doc(tmp_path / "blank.json")
    assert doc["status"] == "succeeded" and doc["room_count"] == 0
    assert doc["source"]["content_type"] == "application/pdf"
    assert "0 rooms" in capsys.readouterr().out


def test_folders_recurse_and_keep_their_subfolders(tmp_path, small_plan):
    """`detect plans/` finds plans at any depth; `a/plan.png` and `b/c/plan.png` keep apart."""
    for sub in ("a", "b/c"):
        (tmp_path / "plans" / sub).mkdir(parents=True)
        cv2.imwrite(str(tmp_path / "plans" / sub / "plan.png"), small_plan.image)
    (tmp_path / "plans" / "b" / "notes.txt").write_text("not a plan suffix: skipped")
    out = tmp_path / "out"
    assert main(["detect", str(tmp_path / "plans"), "--out", str(out)]) == EXIT_OK
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["a/plan.json", "b/c/plan.json"]
    assert _doc(out / "b/c/plan.json")["source"]["uri"].endswith("b/c/plan.png")


def test_jobs_give_the_same_documents_as_one_process(tmp_path, small_plan, capsys):
    """--jobs 2: worker processes, same rooms, same order of lines, failures still recorded."""
    plans = tmp_path / "plans"
    plans.mkdir()
    for i in range(3):
        cv2.imwrite(str(plans / f"p{i}.png"), np.roll(small_plan.image, 7 * i, axis=1))
    (plans / "zz-bad.png").write_text("not an image")
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["detect", str(plans), "--out", str(one)]) == EXIT_FAILED
    capsys.readouterr()
    assert main(["detect", str(plans), "--out", str(two), "--jobs", "2"]) == EXIT_FAILED
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split(":")[0].rsplit("/", 1)[-1] for ln in lines[:3]] == [
        "p0.png",
        "p1.png",
        "p2.png",
    ]
    for name in ("p0", "p1", "p2", "zz-bad"):
        a, b = _doc(one / f"{name}.json"), _doc(two / f"{name}.json")
        assert a["status"] == b["status"]
        assert [r["polygon"] for p in a.get("pages", []) for r in p["rooms"]] == [
            r["polygon"] for p in b.get("pages", []) for r in p["rooms"]
        ]
    assert _doc(two / "zz-bad.json")["error"]["type"] == "UnsupportedFormatError"


def test_version_is_the_detectors(capsys):
    from detector import __version__

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"location-detector {__version__}"
