"""Room types from the drawing: the features' invariances and the shipped forest."""

from __future__ import annotations

import json

import numpy as np
import pytest

from detector.config import DetectorConfig
from detector.opencv_detector import trace_rooms, traced_room_features
from detector.room_types import (
    DRAWN_TYPES,
    FEATURES,
    MODEL_PATH,
    Forest,
    load_model,
    room_features,
    room_types_from_drawing,
)
from detector.stages import to_grey8
from detector_dev.synthetic import draw_plan


def features_of(image: np.ndarray) -> np.ndarray:
    return traced_room_features(trace_rooms(to_grey8(image), DetectorConfig()))


@pytest.fixture(scope="module")
def plan():
    return draw_plan(3).image


def by_area(f: np.ndarray) -> np.ndarray:
    return f[np.argsort(f[:, FEATURES.index("log_area_t2")])]


def test_features_are_finite_one_row_per_room(plan):
    f = features_of(plan)
    assert f.shape[1] == len(FEATURES) and len(f) >= 4
    assert np.isfinite(f).all()


def test_features_survive_a_quarter_turn(plan):
    a, b = by_area(features_of(plan)), by_area(features_of(np.rot90(plan).copy()))
    assert a.shape == b.shape
    # sizes and shapes agree to a few percent; counts (openings, neighbours) exactly
    for name in ("log_area_t2", "elongation", "extent", "width_t", "wall_contact"):
        j = FEATURES.index(name)
        np.testing.assert_allclose(a[:, j], b[:, j], rtol=0.05, atol=0.05, err_msg=name)
    for name in ("openings", "neighbours"):
        j = FEATURES.index(name)
        assert (a[:, j] == b[:, j]).mean() >= 0.8, name


def test_no_rooms_no_features():
    f = room_features(
        [],
        work=np.full((50, 50), 255, np.uint8),
        walls=np.zeros((50, 50), bool),
        lines=np.zeros((50, 50), bool),
        bridges=np.zeros((50, 50), bool),
        outside=np.zeros((50, 50), bool),
        thickness_px=4.0,
        pen_px=1.0,
    )
    assert f.shape == (0, len(FEATURES))
    assert room_types_from_drawing(f) == []


def test_forest_walks_its_trees():
    # one stump: feature 1 <= 0.5 -> all "closet", else all "hall"
    k = len(DRAWN_TYPES)
    leaf = [[0.0] * k for _ in range(3)]
    leaf[1][DRAWN_TYPES.index("closet")] = 1.0
    leaf[2][DRAWN_TYPES.index("hall")] = 1.0
    tree = {
        "feature": [1, -1, -1],
        "threshold": [0.5, 0, 0],
        "left": [1, -1, -1],
        "right": [2, -1, -1],
        "value": leaf,
    }
    forest = Forest.from_dict(
        {"classes": list(DRAWN_TYPES), "features": list(FEATURES), "trees": [tree, tree]}
    )
    x = np.zeros((2, len(FEATURES)))
    x[1, 1] = 0.9
    types = room_types_from_drawing(x, forest)
    assert [t.type for t in types] == ["closet", "hall"]
    assert [t.confidence for t in types] == [1.0, 1.0]
    # the JSON round trip keeps every split
    again = Forest.from_dict(forest.to_dict(FEATURES))
    np.testing.assert_array_equal(again.predict_proba(x), forest.predict_proba(x))


def _walk(forest: Forest, row: np.ndarray) -> np.ndarray:
    """One sample down each tree, node by node: the plain reading of the flat arrays."""
    votes = []
    for j in range(forest.feature.shape[0]):
        i = 0
        while forest.feature[j, i] >= 0:
            go_left = row[forest.feature[j, i]] <= forest.threshold[j, i]
            i = forest.left[j, i] if go_left else forest.right[j, i]
        votes.append(forest.value[j, i])
    return np.mean(votes, axis=0)


@pytest.mark.parametrize("model", ["room_types", "closets"])
def test_forest_votes_are_each_trees_leaf_averaged(model):
    import detector.closets as closets
    import detector.room_types as room_types

    forest = {"room_types": room_types, "closets": closets}[model].load_model()
    n = forest.feature.max() + 1
    rng = np.random.default_rng(0)
    # features on the forest's own split values (the <= edge) and between them
    x = rng.choice(np.unique(forest.threshold), (40, n)) + rng.choice([0, 0, 1e-3], (40, n))
    want = np.array([_walk(forest, row) for row in x])
    np.testing.assert_array_equal(forest.predict_proba(x), want)


def test_shipped_forest_types_every_room_of_a_plan(plan):
    d = json.loads(MODEL_PATH.read_text())
    assert tuple(d["features"]) == FEATURES and tuple(d["classes"]) == DRAWN_TYPES
    f = features_of(plan)
    types = room_types_from_drawing(f, load_model())
    assert len(types) == len(f)
    assert all(t.type in DRAWN_TYPES and 0 < t.confidence <= 1 for t in types)


def test_every_detected_room_carries_a_drawn_type(plan):
    from detector.opencv_detector import OpenCVDetector

    rooms = OpenCVDetector(DetectorConfig(read_text=False)).detect_rooms(plan)
    assert rooms and all(r.type in DRAWN_TYPES for r in rooms)
