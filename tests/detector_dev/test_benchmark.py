"""`location-detector benchmark` end to end on tiny datasets written in each layout."""

from __future__ import annotations

import argparse
import csv
import json

import cv2
import numpy as np

from detector.results import validate_document
from detector_dev.benchmark import add_arguments, main
from detector_dev.synthetic import draw_two_rooms


def run(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    add_arguments(p)
    return main(p.parse_args(argv))


def write_r3d(folder, name: str) -> None:
    """One plan in the R3D layout: the plan, its room-type colour map, walls and openings."""
    img, labels = draw_two_rooms()
    cv2.imwrite(str(folder / f"{name}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    rooms = np.zeros((*img.shape, 3), np.uint8)
    rooms[labels == 1] = (128, 224, 255)  # bedroom (255, 224, 128) in BGR
    rooms[labels == 2] = (192, 255, 224)  # living (224, 255, 192) in BGR
    cv2.imwrite(str(folder / f"{name}_rooms.png"), rooms)
    close_wall = np.where(labels == 0, 255, 0).astype(np.uint8)
    cv2.imwrite(str(folder / f"{name}_close_wall.png"), close_wall)


def test_r3d_benchmark_prints_the_table_and_saves_each_plan(tmp_path, capsys):
    data, save = tmp_path / "r3d", tmp_path / "out"
    data.mkdir()
    write_r3d(data, "a")
    write_r3d(data, "b")
    assert run([str(data), "--format", "r3d", "--save", str(save)]) == 0
    out = capsys.readouterr().out
    header, row, machine = out.strip().splitlines()
    assert "PQ" in header and "med ms" in header and "p95 ms" in header
    cols = row.split()
    assert cols[0] == "r3d" and cols[1:5] == ["2", "4", "4", "4"]  # plans, gt, det, tp
    assert float(cols[9]) > 0.9  # PQ
    assert machine.startswith("machine:") and "cores" in machine
    validate_document(json.loads((save / "a.json").read_text()))
    assert cv2.imread(str(save / "a.png")).shape[:2] == (300, 400)
    rows = list(csv.DictReader((save / "per_plan.csv").open()))
    assert sorted(r["plan"] for r in rows) == ["a", "b"]
    assert float(rows[0]["pq"]) <= float(rows[-1]["pq"])  # worst first


def test_scale_and_limit(tmp_path, capsys):
    data = tmp_path / "r3d"
    data.mkdir()
    write_r3d(data, "a")
    write_r3d(data, "b")
    assert run([str(data), "--format", "r3d", "--scale", "2", "--limit", "1"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:3] == ["r3d", "x2", "1"] and row[5] == "2"  # one plan, both rooms matched


def test_ipa_benchmark_scores_each_variant_against_the_same_truth(tmp_path, capsys):
    img, labels = draw_two_rooms(window=False, clutter=False)
    grey = np.where(img < 128, 0, 254).astype(np.uint8)
    grey[:45, :] = grey[255:, :] = 205  # unknown space around the building
    grey[:, :45] = grey[:, 355:] = 205
    cv2.imwrite(str(tmp_path / "m.png"), grey)
    cluttered = grey.copy()
    cv2.circle(cluttered, (120, 150), 6, 0, -1)  # a bin
    cv2.imwrite(str(tmp_path / "m_furnitures.png"), cluttered)
    gt = np.where(labels > 0, 255, 0).astype(np.uint8)
    cv2.imwrite(str(tmp_path / "m_gt_segmentation.png"), gt)
    cv2.imwrite(str(tmp_path / "nogt.png"), grey)  # no truth: skipped
    assert run([str(tmp_path), "--format", "ipa"]) == 0
    lines = capsys.readouterr().out.splitlines()
    labels_seen = [line.split()[:2] for line in lines[1:-1]]
    assert labels_seen == [["ipa", "plain"], ["ipa", "furnitures"]]
    assert all(line.split()[2] == "1" for line in lines[1:-1])  # one map each


def test_missing_or_empty_dataset_is_an_error(tmp_path, capsys):
    assert run([str(tmp_path / "nope"), "--format", "r3d"]) == 2
    assert run([str(tmp_path), "--format", "ipa"]) == 2
    assert "error" in capsys.readouterr().err


def test_rotated_plans_score_against_rotated_truth(tmp_path, capsys):
    data = tmp_path / "r3d"
    data.mkdir()
    write_r3d(data, "a")
    assert run([str(data), "--format", "r3d", "--rotate", "90"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:2] == ["r3d", "rot90"] and row[3:6] == ["2", "2", "2"]  # gt, det, tp
