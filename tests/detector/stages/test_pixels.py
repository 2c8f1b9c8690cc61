"""`detector.stages.pixels`: grey levels, the page background and outlined walls' fills."""

from __future__ import annotations

import numpy as np

from detector.stages import (
    outlined_wall_fill,
    page_background,
    to_grey8,
)


def test_to_grey8_keeps_black_ink_and_lightens_coloured_fills():
    px = np.array([[[0, 0, 0], [90, 140, 180]]], np.uint8)  # black, a brown fill (BGR)
    grey = to_grey8(px)
    assert grey[0, 0] == 0 and grey[0, 1] == 180


def test_outlined_walls_are_filled_but_not_a_strokes_halo_or_a_grey_floor():
    grey = np.full((100, 200), 255, np.uint8)
    grey[20, 10:190] = grey[27, 10:190] = 0  # a wall drawn as two outlines...
    grey[20:28, 10] = grey[20:28, 189] = 0
    grey[21:27, 11:189] = 204  # ...filled with light grey
    grey[60, 10:190] = 0  # a stroke with a grey halo on both sides
    grey[59, 10:190] = grey[61, 10:190] = 200
    grey[70:95, 20:60] = 200  # a grey floor, outlined
    grey[70, 20:60] = grey[94, 20:60] = 0
    grey[70:95, 20] = grey[70:95, 59] = 0
    ink = grey < 128
    fill = outlined_wall_fill(grey, ink, np.zeros_like(ink), max_width_px=10, min_contrast=32)
    assert fill[21:27, 11:189].all()
    assert not fill[55:65].any() and not fill[70:95].any()


def test_page_background_finds_an_occupancy_maps_unknown_space():
    grey = np.full((100, 100), 205, np.uint8)  # unknown
    grey[20:80, 20:80] = 254  # free
    grey[20:80, 20:22] = 0  # a wall
    bg = page_background(grey, min_contrast=32, min_fraction=0.05)
    assert bg[0, 0] and bg[10, 50] and not bg[50, 50] and not bg[50, 20]
    assert not page_background(
        np.full((50, 50), 255, np.uint8), min_contrast=32, min_fraction=0.05
    ).any()


def test_a_dark_background_leaves_the_walls_drawn_out_of_it_to_the_ink():
    grey = np.zeros((200, 200), np.uint8)  # unknown space drawn black, like the walls
    grey[40:160, 40:160] = 255
    grey[40:160, 99:101] = 0  # a partition, joined to the black outside
    bg = page_background(grey, min_contrast=32, min_fraction=0.05)
    assert bg[0, 0] and bg[20, 100] and not bg[100, 100] and not bg[100, 50]
