"""The room-type forest's training: seeded, and it learns what it is shown."""

from __future__ import annotations

import numpy as np

from detector.room_types import DRAWN_TYPES, FEATURES
from detector_dev.room_types import Samples, accuracy_rows, cross_validate, fit_forest


def toy(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rooms whose type is the band their first six features fall in; the rest is noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    y = rng.integers(0, len(DRAWN_TYPES), n)
    x[:, :6] = y[:, None] + rng.uniform(-0.3, 0.3, (n, 6))
    return x, y


def test_forest_is_reproducible_and_learns_a_separable_set():
    x, y = toy(300, 0)
    a = fit_forest(x, y, trees=9, max_depth=6, min_leaf=2, seed=7)
    b = fit_forest(x, y, trees=9, max_depth=6, min_leaf=2, seed=7)
    assert a.to_dict(FEATURES) == b.to_dict(FEATURES)
    xt, yt = toy(200, 1)
    assert (a.predict_proba(xt).argmax(1) == yt).mean() > 0.95


def test_cross_validation_types_each_plan_with_trees_that_never_saw_it():
    x, y = toy(300, 2)
    plan = np.arange(300) // 10
    y_unmatched = y.copy()
    y_unmatched[::7] = -1  # unmatched rooms are typed but neither trained on nor scored
    s = Samples(x, y_unmatched, plan)
    pred = cross_validate(s, s, folds=3)
    assert (pred >= 0).all()
    rows = accuracy_rows(y_unmatched, pred)
    assert rows[0][0] == "all" and rows[0][1] == int((y_unmatched >= 0).sum())
    assert rows[0][2] > 0.9
