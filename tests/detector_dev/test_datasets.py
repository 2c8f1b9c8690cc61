"""Ground truth of the benchmark datasets, as `shared/datasets/README.md` defines it."""

from __future__ import annotations

import numpy as np

from detector_dev.datasets import ipa_gt_instances, luminance8, r3d_gt_instances


def test_r3d_truth_removes_walls_and_openings_and_splits_4_connected():
    rooms = np.zeros((12, 20, 3), np.uint8)
    rooms[:, :] = (224, 255, 192)  # one living-room colour everywhere...
    close_wall = np.zeros((12, 20), np.uint8)
    close_wall[:, 9:11] = 255  # ...split by a wall (or door) band into two instances
    rooms[0:2, 0:2] = (10, 10, 10)  # not a room colour: not a room
    labels = r3d_gt_instances(rooms, close_wall)
    assert labels.max() == 2
    assert (labels[:, 9:11] == 0).all()
    assert labels[0, 0] == 0
    # pieces under 50 px are dropped
    tiny = np.zeros((12, 20, 3), np.uint8)
    tiny[0:7, 0:7] = (192, 255, 255)  # 49 px bathroom
    assert r3d_gt_instances(tiny, np.zeros((12, 20), np.uint8)).max() == 0


def test_r3d_truth_colours_are_exact():
    rooms = np.zeros((10, 10, 3), np.uint8)
    rooms[:] = (225, 255, 193)  # off by one: the README's colours are exact
    assert r3d_gt_instances(rooms, np.zeros((10, 10), np.uint8)).max() == 0


def test_ipa_truth_white_regions_8_connected_over_100_px():
    gt = np.zeros((40, 40), np.uint8)
    gt[0:11, 0:11] = 255  # 121 px
    gt[11:22, 11:22] = 255  # touches the first diagonally: 8-connected, one region
    gt[35:40, 35:40] = 255  # 25 px: dropped
    gt[0:11, 28:38] = 251  # grey > 250 counts as white: 110 px
    gt[30:40, 0:10] = 250  # not > 250: not a room
    labels = ipa_gt_instances(np.dstack([gt] * 3))
    assert labels.max() == 2
    assert labels[0, 0] == labels[21, 21]


def test_luminance8_weighs_the_channels_as_the_eye_does():
    # pure blue is dark to the eye (luminance 29), unlike the brightest-channel grey of the
    # detector's `to_grey8`, which reads it as 255
    blue = np.zeros((2, 2, 3), np.uint8)
    blue[..., 0] = 255
    assert (luminance8(blue) == 29).all()
    assert luminance8(np.dstack([blue, np.full((2, 2), 255, np.uint8)])).shape == (2, 2)
    grey = np.full((2, 2), 77, np.uint8)
    assert luminance8(grey) is grey
