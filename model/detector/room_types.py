"""Room types from what is drawn: size, shape, openings and the marks inside each room.

Text names most bedrooms and living rooms, but rarely a bathroom, a closet or a hall: those
are read from the drawing. Each room gets a vector of features measured at the working
resolution in units of the plan's wall thickness t (so the same drawing at any scale or
quarter turn gives the same vector), and a small forest of decision trees, trained offline
on the R3D plans (`tools/train_room_types.py`) and shipped as JSON, votes for one of the
six drawn types. Only numpy and OpenCV run here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import cv2
import numpy as np

from .stages import Region

# The types a drawing can tell apart (R3D's six colours); the label vocabulary is wider.
DRAWN_TYPES = ("closet", "bathroom", "living", "bedroom", "hall", "balcony")
MODEL_PATH = Path(__file__).resolve().parent / "room_types.json"

FEATURES = (
    "log_area_t2",  # log of the room's area in t^2
    "area_of_largest",  # area / the plan's largest room
    "area_of_median",  # log of area / the plan's median room
    "elongation",  # long / short side of the min-area rectangle
    "extent",  # area / min-area rectangle
    "solidity",  # area / convex hull
    "width_t",  # widest inscribed disk, in t
    "wall_contact",  # rim share on drawn walls
    "outside_contact",  # rim share on the outside
    "line_contact",  # rim share on thin lines (windows, fences)
    "opening_contact",  # rim share on bridges (doors, windows)
    "openings",  # number of bridges on the rim
    "neighbours",  # rooms reached across a bridge or a wall
    "marks",  # share of the room's floor covered by thin dark marks
    "mark_blobs",  # marks' connected pieces per 100 t^2
    "big_loops",  # closed loops of marks over 2 t^2 (tubs, basins, toilets)
    "small_loops",  # closed loops under 2 t^2 (letters)
    "text_blobs",  # pieces of text size (under 1.5 t tall, thinner than the pen x 3)
    "rooms_in_plan",  # log of the plan's number of rooms
)
BIG_LOOP_T2 = 2.0
TEXT_HEIGHT_T = 1.5


@dataclass(frozen=True)
class DrawnType:
    """A room's type from the drawing and the share of the trees that voted for it."""

    type: str
    confidence: float


def room_features(
    regions: list[Region],
    *,
    work: np.ndarray,
    walls: np.ndarray,
    lines: np.ndarray,
    bridges: np.ndarray,
    outside: np.ndarray,
    thickness_px: float,
    pen_px: float,
) -> np.ndarray:
    """Features (len(regions) x len(FEATURES), float64) of each room, see `FEATURES`.

    Parameters
    ----------
    regions : the rooms at working resolution (`room_regions`).
    work : the grey page at working resolution (uint8).
    walls, lines, bridges, outside : bool masks of the recipe at the same resolution.
    thickness_px, pen_px : the plan's wall thickness and pen width (working px).
    """
    n = len(regions)
    out = np.zeros((n, len(FEATURES)), np.float64)
    if n == 0 or thickness_px <= 0:
        return out
    t = float(thickness_px)
    t2 = t * t
    shape = work.shape
    k3 = np.ones((3, 3), np.uint8)
    near = {
        name: cv2.dilate(mask.view(np.uint8), k3) > 0
        for name, mask in (("wall", walls), ("out", outside), ("line", lines), ("br", bridges))
    }
    # Dark marks on the floor: text, fixtures, arcs, furniture (anything darker than paper
    # that is not a wall). The lines mask is a black-hat of thin strokes, so it holds them.
    marks_all = lines & ~walls
    _, blab = cv2.connectedComponents(bridges.view(np.uint8), connectivity=8)
    areas = np.array([max(r.area_px, 1.0) for r in regions])
    largest, median = areas.max(), float(np.median(areas))
    reach = max(1, round(1.5 * t))
    grow = np.ones((2 * reach + 1,) * 2, np.uint8)
    index = np.zeros(shape, np.int32)
    crops = []
    for i, r in enumerate(regions):
        (x, y), m = r.crop_mask(shape, reach + 2)
        crops.append(((x, y), m))
        index[y : y + m.shape[0], x : x + m.shape[1]][m > 0] = i + 1
    for i, (r, ((x, y), m)) in enumerate(zip(regions, crops, strict=True)):
        h, w = m.shape
        sl = (slice(y, y + h), slice(x, x + w))
        c = r.contour.astype(np.float32)
        (_, _), (rw, rh), _ = cv2.minAreaRect(c)
        rect = max(rw * rh, 1.0)
        hull = max(float(cv2.contourArea(cv2.convexHull(c))), 1.0)
        dt = cv2.distanceTransform(m, cv2.DIST_L2, 3)
        rim = (m > 0) & (cv2.erode(m, k3) == 0)
        rim_n = max(int(rim.sum()), 1)

        def on(name: str, rim=rim, sl=sl, rim_n=rim_n) -> float:
            return float((near[name][sl] & rim).sum()) / rim_n

        ring = cv2.dilate(m, k3) > 0
        touching = np.unique(blab[sl][ring & bridges[sl]])
        openings = int((touching > 0).sum())
        # neighbours: other rooms within 1.5 t of this one (across a wall or a bridge)
        around = cv2.dilate(m, grow) > 0
        seen = np.bincount(index[sl][around], minlength=n + 1)
        seen[[0, i + 1]] = 0
        neigh = int(np.count_nonzero(seen))
        inner = m > 0
        marks = marks_all[sl] & inner
        floor = max(int(inner.sum()), 1)
        nm, _, mstats, _ = cv2.connectedComponentsWithStats(marks.view(np.uint8), connectivity=8)
        hts = mstats[1:, cv2.CC_STAT_HEIGHT]
        wds = mstats[1:, cv2.CC_STAT_WIDTH]
        text = int(
            (
                (np.maximum(hts, wds) <= TEXT_HEIGHT_T * t) & (mstats[1:, cv2.CC_STAT_AREA] >= 2)
            ).sum()
        )
        # Closed loops of marks: holes of the marks inside the room.
        cs, hier = cv2.findContours(marks.view(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        big = small = 0
        if hier is not None:
            for c2, hh in zip(cs, hier[0], strict=True):
                if hh[3] < 0:
                    continue  # an outer contour, not a hole
                a = cv2.contourArea(c2)
                if a >= BIG_LOOP_T2 * t2:
                    big += 1
                elif a >= 1:
                    small += 1
        out[i] = (
            np.log(r.area_px / t2),
            r.area_px / largest,
            np.log(r.area_px / median),
            max(rw, rh) / max(min(rw, rh), 1.0),
            r.area_px / rect,
            r.area_px / hull,
            2.0 * float(dt.max()) / t,
            on("wall"),
            on("out"),
            on("line"),
            on("br"),
            openings,
            neigh,
            float(marks.sum()) / floor,
            (nm - 1) / (floor / (100 * t2)),
            big,
            small,
            text,
            np.log(n),
        )
    return out


@dataclass(frozen=True)
class Forest:
    """Decision trees as flat arrays (sklearn's layout): a node splits on `feature` at
    `threshold` (go left when <=) or, when `feature` < 0, is a leaf holding class votes."""

    feature: np.ndarray  # (trees, nodes) int
    threshold: np.ndarray  # (trees, nodes) float
    left: np.ndarray  # (trees, nodes) int
    right: np.ndarray  # (trees, nodes) int
    value: np.ndarray  # (trees, nodes, classes) float, class shares at each leaf
    classes: tuple[str, ...]

    @classmethod
    def from_dict(cls, d: dict) -> Forest:
        trees = d["trees"]
        n = max(len(t["feature"]) for t in trees)
        k = len(d["classes"])

        def pad(key, fill, dtype):
            a = np.full((len(trees), n), fill, dtype)
            for j, t in enumerate(trees):
                a[j, : len(t[key])] = t[key]
            return a

        value = np.zeros((len(trees), n, k))
        for j, t in enumerate(trees):
            for i, v in enumerate(t["value"]):
                if v:  # (inner nodes carry no votes)
                    value[j, i] = v
        return cls(
            pad("feature", -1, np.int64),
            pad("threshold", 0.0, np.float64),
            pad("left", -1, np.int64),
            pad("right", -1, np.int64),
            value,
            tuple(d["classes"]),
        )

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> Forest:
        """A forest saved with `to_dict`, refused when it was trained on other `features`."""
        d = json.loads(Path(path).read_text())
        if tuple(d["features"]) != features:
            raise ValueError(f"{path}: trained on other features than this module computes")
        return cls.from_dict(d)

    def to_dict(self, features: tuple[str, ...]) -> dict:
        trees = []
        for j in range(self.feature.shape[0]):
            used = int((self.left[j] >= 0).sum() + (self.feature[j] < 0).sum())
            trees.append(
                {
                    "feature": self.feature[j, :used].tolist(),
                    "threshold": [round(float(v), 6) for v in self.threshold[j, :used]],
                    "left": self.left[j, :used].tolist(),
                    "right": self.right[j, :used].tolist(),
                    "value": [
                        [round(float(v), 3) for v in row] if f < 0 else []
                        for f, row in zip(self.feature[j, :used], self.value[j, :used], strict=True)
                    ],
                }
            )
        return {"classes": list(self.classes), "features": list(features), "trees": trees}

    @cached_property
    def _flat(self) -> tuple[np.ndarray, ...]:
        """The trees as one flat node array: feature, threshold, left and right child (a leaf
        is its own child), votes, and each tree's root."""
        trees, nodes = self.feature.shape
        index = np.arange(trees * nodes).reshape(trees, nodes)
        root = index[:, 0]
        left = np.where(self.left >= 0, self.left + root[:, None], index)
        right = np.where(self.right >= 0, self.right + root[:, None], index)
        return (
            self.feature.ravel(),
            self.threshold.ravel(),
            left.ravel(),
            right.ravel(),
            self.value.reshape(trees * nodes, -1),
            root,
        )

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Mean class shares over the trees, (len(x) x classes): every (tree, sample) pair
        walked at once, one level per step, on flat arrays (1-D takes are cheap)."""
        x = np.asarray(x, np.float64)
        feature, threshold, left, right, value, root = self._flat
        n, k = x.shape
        cell = np.tile(np.arange(n) * k, len(root))  # each pair's row of x, flattened
        node = np.repeat(root, n)
        xs = x.ravel()
        while True:
            f = feature[node]
            if (f < 0).all():
                break
            go_left = xs[cell + np.maximum(f, 0)] <= threshold[node]
            node = np.where(go_left, left[node], right[node])
        return value[node].reshape(len(root), n, -1).mean(0)


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> Forest:
    """The shipped forest (read once)."""
    return Forest.load(path, FEATURES)


def room_types_from_drawing(features: np.ndarray, model: Forest | None = None) -> list[DrawnType]:
    """Each room's most voted drawn type (one of `DRAWN_TYPES`) from `room_features`."""
    if len(features) == 0:
        return []
    p = (model or load_model()).predict_proba(features)
    best = p.argmax(1)
    classes = (model or load_model()).classes
    return [DrawnType(classes[b], float(p[i, b])) for i, b in enumerate(best)]
