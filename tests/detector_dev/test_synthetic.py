"""The plan generator itself: its truth must be exact, or every accuracy test lies."""

import cv2
import numpy as np
import pytest

from detector_dev.synthetic import DrawnPlan, draw_plan, main

SEEDS = [0, 1, 2, 3, 7, 11]


@pytest.fixture(scope="module", params=SEEDS)
def plan(request) -> DrawnPlan:
    return draw_plan(request.param, 1000, 750)


def test_types_and_shapes(plan):
    assert plan.image.dtype == np.uint8 and plan.image.shape == (750, 1000)
    assert plan.labels.shape == plan.image.shape
    assert plan.walls.dtype == bool
    assert 3 <= plan.room_count <= 40
    assert set(np.unique(plan.labels)) == set(range(plan.room_count + 1))


def test_rooms_are_disjoint_connected_and_separated_by_walls(plan):
    lab = plan.labels
    # no two different rooms touch (4-neighbours): a wall band is always between them
    for a, b in ((lab[:, 1:], lab[:, :-1]), (lab[1:, :], lab[:-1, :])):
        touching = (a > 0) & (b > 0) & (a != b)
        assert not touching.any()
    for k, mask in enumerate(plan.room_masks(), start=1):
        n, _ = cv2.connectedComponents(mask.view(np.uint8), connectivity=4)
        assert n == 2, f"room {k} is in {n - 1} pieces"
    masks = np.stack(plan.room_masks())
    assert masks.sum(axis=0).max() == 1  # disjoint


def test_rooms_lie_inside_the_building(plan):
    # flood the outside from the page corner through everything that is not wall
    free = (~plan.walls).view(np.uint8).copy()
    h, w = free.shape
    mask = np.zeros((h + 2, w + 2), np.uint8)
    cv2.floodFill(free, mask, (0, 0), 2, flags=4)
    outside = free == 2
    assert not (outside & (plan.labels > 0)).any()
    assert outside[0, 0] and outside[-1, -1]


def test_drawing_agrees_with_truth(plan):
    ink = plan.image < 128
    # walls are drawn black except where doors and windows are cut
    assert ink[plan.walls].mean() > 0.75
    # rooms are mostly paper: text, furniture and door arcs are thin
    assert ink[plan.labels > 0].mean() < 0.08
    # clutter exists outside the building too (dimensions, compass, title block)
    assert ink[(plan.labels == 0) & ~plan.walls].sum() > 0
    assert plan.exterior_wall_px > max(plan.interior_wall_px)
    assert len(set(plan.interior_wall_px)) >= 2


def test_seeded_is_deterministic():
    a, b = draw_plan(5, 800, 600, noise=0.5), draw_plan(5, 800, 600, noise=0.5)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.labels, b.labels)
    c = draw_plan(6, 800, 600, noise=0.5)
    assert not np.array_equal(a.image, c.image)


def test_lengths_scale_with_the_drawing():
    small, large = draw_plan(3, 600, 450), draw_plan(3, 2400, 1800)
    ratio = large.px_per_m / small.px_per_m
    assert 3.0 < ratio < 5.0
    assert large.exterior_wall_px > 3 * small.exterior_wall_px - 4


def test_noise_changes_pixels_but_not_truth():
    clean, noisy = draw_plan(4, 800, 600), draw_plan(4, 800, 600, noise=1.0)
    assert np.array_equal(clean.labels, noisy.labels)
    diff = clean.image != noisy.image
    assert 0.001 < diff.mean() < 0.5


def test_l_shape_leaves_a_corner_outside():
    p = draw_plan(8, 1000, 750, l_shape=True)
    ys, xs = np.nonzero(p.labels)
    box = np.zeros_like(p.walls)
    box[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] = True
    # an L covers clearly less of its bounding box than a rectangle would
    covered = ((p.labels > 0) | p.walls)[box].mean()
    assert covered < 0.9


def test_command_line_writes_plan_and_truth(tmp_path, capsys):
    out, truth = tmp_path / "p.png", tmp_path / "t.png"
    assert (
        main([str(out), "--seed", "2", "--width", "700", "--height", "500", "--truth", str(truth)])
        == 0
    )
    img = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    lab = cv2.imread(str(truth), cv2.IMREAD_UNCHANGED)
    assert img.shape == (500, 700) and lab.dtype == np.uint16
    assert np.array_equal(lab, draw_plan(2, 700, 500).labels)
    assert "rooms" in capsys.readouterr().out


def test_truth_outlines_score_perfectly_and_nothing_scores_zero(tmp_path):
    import json

    from detector_dev.synthetic import compare_files, compare_with_truth, save_truth

    plan = draw_plan(12, 900, 700)
    outlines = []
    for mask in plan.room_masks():
        contours, _ = cv2.findContours(
            mask.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
        )
        outlines.append(max(contours, key=cv2.contourArea).reshape(-1, 2).tolist())
    perfect = compare_with_truth(outlines, plan.labels)
    assert perfect.matched == perfect.drawn == perfect.found == plan.room_count
    assert perfect.mean_iou > 0.97
    assert compare_with_truth([], plan.labels).matched == 0

    doc = {"pages": [{"rooms": [{"polygon": p} for p in outlines[:2]]}]}
    (tmp_path / "r.json").write_text(json.dumps(doc))
    save_truth(plan, tmp_path / "t.png")
    score = compare_files(tmp_path / "r.json", tmp_path / "t.png")
    assert (score.found, score.matched, score.drawn) == (2, 2, plan.room_count)
    assert "matching a drawn room" in str(score)


def test_skewed_sheet_turns_the_truth_with_it():
    straight = draw_plan(13, 900, 700)
    skewed = draw_plan(13, 900, 700, skew_deg=2.0)
    assert skewed.room_count == straight.room_count
    for a, b in zip(straight.room_masks(), skewed.room_masks(), strict=True):
        assert abs(int(a.sum()) - int(b.sum())) < 0.03 * a.sum()  # same room, turned
    # the ink still sits on the (turned) walls
    ink = skewed.image < 128
    assert ink[skewed.walls].mean() > 0.7
    assert ink[skewed.labels > 0].mean() < 0.08


def test_clutter_switches_keep_the_rooms():
    full = draw_plan(14, 900, 700)
    bare = draw_plan(14, 900, 700, furniture=False, text=False, annotations=False)
    assert np.array_equal(full.labels, bare.labels)
    assert (bare.image < 128).sum() < (full.image < 128).sum()
    # no annotations: nothing is drawn outside the building's walls
    outside = (bare.labels == 0) & ~bare.walls
    free = (~bare.walls).view(np.uint8).copy()
    cv2.floodFill(free, None, (0, 0), 2, flags=4)
    assert not (bare.image[(free == 2) & outside] < 128).any()
