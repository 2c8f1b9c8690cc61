"""The public stages refuse arrays of the wrong kind instead of computing something wrong."""

from __future__ import annotations

import numpy as np
import pytest

from detector import stages

WALLS = np.zeros((40, 40), bool)
WALLS[10:14, 5:35] = True
GREY = np.where(WALLS, 0, 255).astype(np.uint8)
MASK_0_255 = WALLS.astype(np.uint8) * 255  # the classic mistake: a 0/255 image as a mask

MASK_STAGES = {
    "close_by_distance": lambda m: stages.close_by_distance(m, radius_px=2),
    "drop_small_components": lambda m: stages.drop_small_components(m, min_area_px=4),
    "ridge_values": stages.ridge_values,
    "estimate_wall_thickness": stages.estimate_wall_thickness,
    "estimate_pen_width": lambda m: stages.estimate_pen_width(m, thickness_px=4),
    "thick_strokes": lambda m: stages.thick_strokes(m, min_width_px=3),
    "opening_bridges": lambda m: stages.opening_bridges(
        m, WALLS, max_gap_px=10, max_lined_gap_px=20, min_end_px=2, max_end_px=8
    ),
    "opening_bridges lines": lambda m: stages.opening_bridges(
        WALLS, m, max_gap_px=10, max_lined_gap_px=20, min_end_px=2, max_end_px=8
    ),
    "wall_ends": lambda m: stages.wall_ends(m, reach_px=4, max_end_px=8),
    "facing_end_bridges": lambda m: stages.facing_end_bridges(
        m, min_end_px=2, max_end_px=8, max_gap_px=10, jamb_match=1.5
    ),
    "outside_mask": lambda m: stages.outside_mask(m, seal_px=4),
    "doorway_necks": lambda m: stages.doorway_necks(m, neck_px=4, max_area_px=32),
    "room_regions": lambda m: stages.room_regions(
        m,
        WALLS,
        WALLS,
        min_area_px=1,
        max_area_px=1e9,
        max_outside_contact=0.5,
        min_width_px=1,
    ),
    "ink_mask ignore": lambda m: stages.ink_mask(GREY, min_contrast=32, ignore=m),
    "outlined_wall_fill": lambda m: stages.outlined_wall_fill(
        GREY, m, WALLS, max_width_px=8, min_contrast=32
    ),
}


@pytest.mark.parametrize("stage", sorted(MASK_STAGES))
def test_a_0_255_image_where_a_bool_mask_belongs_is_a_type_error(stage):
    MASK_STAGES[stage](WALLS)  # the bool mask is fine
    with pytest.raises(TypeError, match="must be a bool mask, not uint8"):
        MASK_STAGES[stage](MASK_0_255)


def test_a_mask_must_be_two_dimensional():
    with pytest.raises(TypeError, match="must be 2-D"):
        stages.thick_strokes(np.zeros((4, 4, 1), bool), min_width_px=2)


@pytest.mark.parametrize(
    "grey",
    [GREY.astype(np.float32), GREY > 0, np.dstack([GREY] * 3)],
    ids=["float", "bool", "colour"],
)
def test_grey_stages_take_2d_uint8_only(grey):
    for stage in (
        lambda g: stages.ink_mask(g, min_contrast=32),
        lambda g: stages.line_mask(g, width_px=4, min_contrast=32),
        lambda g: stages.page_background(g, min_contrast=32, min_fraction=0.05),
        lambda g: stages.grey_percentiles(g, (50,)),
    ):
        with pytest.raises(TypeError, match="2-D uint8 grey image"):
            stage(grey)
    assert stages.ink_mask(stages.to_grey8(grey), min_contrast=32).dtype == bool
