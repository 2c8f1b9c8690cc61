"""The benchmark datasets: where each plan's truth is and how it becomes room instances.

Ground truth follows `shared/datasets/README.md` exactly:
- r3d: for each room-type colour of `<id>_rooms.png`, remove the `<id>_close_wall.png`
  pixels (walls and openings), take 4-connected components, drop those under 50 px.
- ipa: `<map>_gt_segmentation.png`, white regions (grey > 250), 8-connected, over 100 px;
  the plain map and its `_furnitures` / `_furnitures_trashbins` variants are scored against
  the same truth. Maps without a `_gt_segmentation.png` are skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

# Room-type colours of the R3D annotations (RGB), as listed in the datasets README.
R3D_ROOM_COLOURS_RGB: tuple[tuple[int, int, int], ...] = (
    (192, 192, 224),  # closet
    (192, 255, 255),  # bathroom
    (224, 255, 192),  # living / kitchen / dining
    (255, 224, 128),  # bedroom
    (255, 160, 96),  # hall
    (255, 224, 224),  # balcony / terrace
)
R3D_MIN_ROOM_PX = 50  # components under this are dropped (README)
IPA_MIN_ROOM_PX = 100  # components must be over this (README)
IPA_WHITE_ABOVE = 250
# (file suffix, label): the plain maps and the cluttered variants scored against the same truth.
IPA_VARIANTS = (
    ("", "plain"),
    ("_furnitures", "furnitures"),
    ("_furnitures_trashbins", "furnitures_trashbins"),
)


def r3d_gt_instances(rooms_rgb: np.ndarray, close_wall: np.ndarray) -> np.ndarray:
    """Room instances of an R3D plan: int32 label image (0 = no room, 1..n = rooms).

    `rooms_rgb` is the `_rooms.png` colour map in RGB order, `close_wall` the single-channel
    walls-plus-openings mask. Each room-type colour minus the close_wall pixels, split into
    4-connected components; components under 50 px are dropped.
    """
    labels = np.zeros(rooms_rgb.shape[:2], np.int32)
    blocked = close_wall > 127
    n = 0
    for colour in R3D_ROOM_COLOURS_RGB:
        mask = np.all(rooms_rgb == np.array(colour, np.uint8), axis=-1) & ~blocked
        count, comp, stats, _ = cv2.connectedComponentsWithStats(
            mask.astype(np.uint8), connectivity=4
        )
        for i in range(1, count):
            if stats[i, cv2.CC_STAT_AREA] >= R3D_MIN_ROOM_PX:
                n += 1
                labels[comp == i] = n
    return labels


def ipa_gt_instances(gt_image: np.ndarray) -> np.ndarray:
    """Room instances of an IPA map: int32 label image from its `_gt_segmentation.png`.

    White regions (grey > 250), 8-connected, over 100 px; everything else is 0.
    """
    grey = luminance8(gt_image)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(
        (grey > IPA_WHITE_ABOVE).astype(np.uint8), connectivity=8
    )
    keep = np.zeros(count, np.int32)
    n = 0
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] > IPA_MIN_ROOM_PX:
            n += 1
            keep[i] = n
    return keep[comp]


def luminance8(img: np.ndarray) -> np.ndarray:
    """A BGR(A) or grey image as 8-bit luminance (cv2's weighted sum of the channels).

    Unlike `detector.stages.to_grey8` (the brightest channel, so coloured fills read as
    paper), truth images are read as the eye sees them.
    """
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY)
    elif img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return img


@dataclass(frozen=True)
class Item:
    """One plan to score: its name, the plan file and a loader for its truth."""

    name: str
    plan: Path
    truth: Path
    format: str


def r3d_items(root: Path) -> list[Item]:
    items = []
    for rooms in sorted(root.glob("*_rooms.png")):
        stem = rooms.name[: -len("_rooms.png")]
        plan = root / f"{stem}.jpg"
        if not plan.is_file():
            candidates = sorted(root.glob(f"{stem}.*"))
            if not candidates:
                continue
            plan = candidates[0]
        items.append(Item(stem, plan, rooms, "r3d"))
    return items


def ipa_items(root: Path, variant: str) -> list[Item]:
    items = []
    for gt in sorted(root.glob("*_gt_segmentation.png")):
        stem = gt.name[: -len("_gt_segmentation.png")]
        plan = root / f"{stem}{variant}.png"
        if plan.is_file():
            items.append(Item(stem, plan, gt, "ipa"))
    return items


def r3d_close_wall_path(item: Item) -> Path:
    """The mask of wall pieces drawn across doorways that goes with an R3D item's rooms."""
    return item.truth.with_name(item.truth.name.replace("_rooms.png", "_close_wall.png"))


def load_truth(item: Item) -> np.ndarray:
    if item.format == "r3d":
        rooms = cv2.imread(str(item.truth), cv2.IMREAD_COLOR)
        close_wall = cv2.imread(str(r3d_close_wall_path(item)), cv2.IMREAD_GRAYSCALE)
        if rooms is None or close_wall is None:
            raise FileNotFoundError(f"missing or unreadable truth for {item.name}")
        return r3d_gt_instances(rooms[:, :, ::-1], close_wall)
    gt = cv2.imread(str(item.truth), cv2.IMREAD_UNCHANGED)
    if gt is None:
        raise FileNotFoundError(f"unreadable truth {item.truth}")
    return ipa_gt_instances(gt)


def fit_truth(labels: np.ndarray, shape: tuple[int, int], name: str) -> np.ndarray:
    """Truth resampled (nearest) to a plan stored at another resolution of the same map.

    One IPA variant (lab_b_scan_furnitures_trashbins) is stored at 2/3 of its truth's size;
    a different aspect ratio means a different map, which is an error.
    """
    (gh, gw), (ph, pw) = labels.shape, shape
    if abs(gh / gw - ph / pw) > 0.01 * gh / gw:
        raise ValueError(f"{name}: truth {labels.shape} and plan {shape} are different maps")
    log.warning("%s: truth %s resampled to the plan's %s", name, labels.shape, shape)
    return cv2.resize(labels, (pw, ph), interpolation=cv2.INTER_NEAREST)


def enlarge(image: np.ndarray, labels: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """The plan and its truth `scale` times larger (plan: cubic, truth: nearest)."""
    if scale == 1:
        return image, labels
    h, w = image.shape[:2]
    size = (round(w * scale), round(h * scale))
    big = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
    big_labels = cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)
    return big, big_labels


def sets_for(root: Path, fmt: str) -> list[tuple[str, list[Item]]]:
    """The (label, plans) sets a dataset folder holds: one for r3d, three for ipa."""
    if fmt == "r3d":
        return [("r3d", r3d_items(root))]
    return [(f"ipa {label}", ipa_items(root, suffix)) for suffix, label in IPA_VARIANTS]
