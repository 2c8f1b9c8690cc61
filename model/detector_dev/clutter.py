"""What a real plan carries besides its walls: furniture, room names, dimension lines, a
compass, a title block and scan noise. None of it changes the drawn rooms (the truth).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import cv2
import numpy as np

from .sheet import Box, Rect, Sheet

ROOM_NAMES = (
    "Bedroom",
    "Kitchen",
    "Living Room",
    "Bath",
    "Study",
    "Dining",
    "Hall",
    "WC",
    "Utility",
    "Store",
    "Reception",
    "Office",
)


def furnish(sheet: Sheet, rooms: list[Rect], labels: np.ndarray, keepout: list[Box]) -> None:
    """Up to three pieces per room: thin outlines, never in a doorway or a door's swing."""
    placed: list[Box] = []
    for k, r in enumerate(rooms, start=1):
        inner = _free_box(labels, r, k)
        for _ in range(int(sheet.rng.integers(0, 4))):
            _place_furniture(sheet.img, sheet.rng, inner, keepout, placed, sheet.px, sheet.thin)


def name_boxes(sheet: Sheet, rooms: list[Rect]) -> list[Box]:
    """Where each room's name and size are printed: furniture keeps out of it, as a
    draughtsman keeps text clear of the drawing (so the printed text can be read back)."""
    boxes = []
    for r in rooms:
        cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
        half_w = (r.w - max(sheet.t_int) - sheet.px(0.3)) / 2
        th = sheet.px(0.22)
        boxes.append((int(cx - half_w), int(cy - 2.6 * th), int(cx + half_w) + 1, int(cy + 2 * th)))
    return boxes


def room_names(
    sheet: Sheet, rooms: list[Rect], labels: np.ndarray, text: bool, sizes_printed: bool = True
) -> tuple[list[str], list[tuple[float, float]]]:
    """A name per room (drawn from the seed even when `text` is off, so the rooms stay the
    same), printed with the room's size as estate-agent plans print them: its inside, from
    wall face to wall face, in metres (width x depth), unless `sizes_printed` is off.
    Returns the names and those sizes."""
    names: list[str] = []
    sizes: list[tuple[float, float]] = []
    for k, r in enumerate(rooms, start=1):
        name = str(sheet.rng.choice(ROOM_NAMES))
        names.append(name)
        inner = _free_box(labels, r, k)
        w_m = (inner[2] - inner[0]) / sheet.px_per_m
        h_m = (inner[3] - inner[1]) / sheet.px_per_m
        sizes.append((round(w_m, 2), round(h_m, 2)))
        if not text:
            continue
        cx, cy = (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2
        inner_w = r.w - max(sheet.t_int) - sheet.px(0.3)
        th = sheet.px(0.22)
        tk = max(1, round(th / 9))
        _put_text_fit(sheet.img, name, (cx, cy - th), th, inner_w, tk)
        if not sizes_printed:
            continue
        size = f"{w_m:.2f} x {h_m:.2f}"
        _put_text_fit(sheet.img, size, (cx, cy + th), th * 0.8, inner_w, tk)
    return names, sizes


def dimension_lines(sheet: Sheet, rooms: list[Rect]) -> None:
    """Dimension lines with ticks along the top and the left, outside the building."""
    img, thin = sheet.img, sheet.thin
    mL, mT, _, _ = sheet.margins
    bx0, by0, bx1, by1 = sheet.building
    tick = max(3, int(0.18 * mT))
    dim_y = by0 - int(0.45 * mT)
    xs = sorted({bx0, bx1, *(r.x0 for r in rooms if r.y0 == by0)})
    cv2.line(img, (bx0, dim_y), (bx1, dim_y), 0, thin)
    for x in xs:
        _tick(img, (x, dim_y), tick, thin)
    for a, b in itertools.pairwise(xs):
        _put_text_fit(
            img,
            f"{(b - a) / sheet.px_per_m:.2f}",
            ((a + b) / 2, dim_y - 0.28 * mT),
            0.2 * mT,
            0.8 * (b - a),
            max(1, thin),
        )
    dim_x = bx0 - int(0.5 * mL)
    ys = sorted({by0, by1, *(r.y0 for r in rooms if r.x0 == bx0)})
    cv2.line(img, (dim_x, by0), (dim_x, by1), 0, thin)
    for y in ys:
        _tick(img, (dim_x, y), tick, thin)


def _tick(img: np.ndarray, at: tuple[int, int], size: int, thin: int) -> None:
    """A dimension line's tick: a short slash across the line at `at`."""
    x, y = at
    cv2.line(img, (x - size // 2, y + size // 2), (x + size // 2, y - size // 2), 0, thin)


def compass_and_title(sheet: Sheet, seed: int) -> None:
    """A north arrow in the top right margin and a title block in the bottom margin."""
    img, thin = sheet.img, sheet.thin
    H, W = img.shape
    _, mT, mR, mB = sheet.margins
    rad = max(4, int(0.32 * min(mT, mR * 2)))
    cc = (W - mR - rad - 2, int(0.45 * mT))
    cv2.circle(img, cc, rad, 0, thin, cv2.LINE_AA)
    arrow = np.array(
        [
            [cc[0], cc[1] - rad],
            [cc[0] - rad // 3, cc[1] + rad // 2],
            [cc[0] + rad // 3, cc[1] + rad // 2],
        ],
        np.int32,
    )
    cv2.fillPoly(img, [arrow], 0, cv2.LINE_AA)
    tx0, ty0 = int(0.58 * W), H - int(0.85 * mB)
    tx1, ty1 = int(0.96 * W), H - int(0.12 * mB)
    cv2.rectangle(img, (tx0, ty0), (tx1, ty1), 0, max(1, thin), cv2.LINE_AA)
    ymid = (ty0 + ty1) // 2
    cv2.line(img, (tx0, ymid), (tx1, ymid), 0, thin)
    xmid = tx0 + (tx1 - tx0) * 2 // 3
    cv2.line(img, (xmid, ymid), (xmid, ty1), 0, thin)
    cells = (
        ("GROUND FLOOR PLAN", (tx0 + tx1) / 2, (ty0 + ymid) / 2, 0.45 * (ymid - ty0), tx1 - tx0),
        (f"Drawing {seed}", (tx0 + xmid) / 2, (ymid + ty1) / 2, 0.4 * (ty1 - ymid), xmid - tx0),
        ("1:100", (xmid + tx1) / 2, (ymid + ty1) / 2, 0.4 * (ty1 - ymid), tx1 - xmid),
    )
    for words, cx, cy, height, width in cells:
        _put_text_fit(img, words, (cx, cy), height, 0.9 * width, max(1, thin))


# Scale bars as drawn on plans: (unit, metres per unit, lengths in units, labelled step).
SCALE_BAR_UNITS = {"m": 1.0, "ft": 0.3048}
SCALE_BAR_LENGTHS = {"m": (10, 8, 6, 5, 4, 3, 2), "ft": (40, 30, 20, 15, 10)}


def scale_bar(sheet: Sheet, rng: np.random.Generator, unit: str) -> Box:
    """A scale bar in the bottom left margin: a line with a tick at every unit (or every 5
    ft) standing up from it, numbers over the labelled ticks ("0 1 2 3 4 5 m"), the unit
    after the last one; some bars carry unlabelled half-step ticks. Its length is the
    longest round one that fits left of the title block, drawn through the plan's own
    `px_per_m`, so the bar is exact. Returns the bar's box (line, ticks and numbers).

    Draws from `rng`, not the sheet's generator, so a plan drawn with a bar is the same
    plan as without one, plus the bar.
    """
    img, thin = sheet.img, max(1, sheet.thin)
    H, W = img.shape
    mL, _, _, mB = sheet.margins
    px_per_unit = sheet.px_per_m * SCALE_BAR_UNITS[unit]
    room = 0.52 * W - mL  # the title block starts at 0.58 W
    fits = [n for n in SCALE_BAR_LENGTHS[unit] if n * px_per_unit <= room]
    total = fits[0] if fits else SCALE_BAR_LENGTHS[unit][-1]
    step = 1 if unit == "m" else 5
    labelled = step * (2 if total // step > 6 else 1)
    th = sheet.px(0.2)  # the numbers' height, as a room's size is printed
    tick = max(3, round(0.7 * th))
    x0 = mL + int(rng.integers(0, max(1, int(0.2 * mL))))
    y = H - int(mB * rng.uniform(0.3, 0.45))
    x1 = x0 + round(total * px_per_unit)
    cv2.line(img, (x0, y), (x1, y), 0, thin)
    minor = rng.random() < 0.5
    for k in range(0, total + 1, step):
        x = x0 + round(k * px_per_unit)
        cv2.line(img, (x, y), (x, y - tick), 0, thin)
        if minor and k < total:
            xm = x0 + round((k + step / 2) * px_per_unit)
            cv2.line(img, (xm, y), (xm, y - tick // 2), 0, thin)
        if k % labelled == 0 or k == total:
            label = f"{k} {unit}" if k == total else str(k)
            # centred over its tick by the number alone (the unit runs on to the right)
            _put_text_fit(
                img,
                label,
                (
                    x + (_text_width(label, th, thin) - _text_width(str(k), th, thin)) / 2,
                    y - tick - 0.9 * th,
                ),
                th,
                10 * th,
                thin,
            )
    return (x0 - th, y - tick - 2 * th, x1 + 3 * th, y + thin)


def _text_width(text: str, height_px: float, thickness: int) -> float:
    """The width `_put_text_fit` draws `text` at, for a cap height of `height_px`."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    (_, th), _ = cv2.getTextSize(text, font, 1.0, thickness)
    (tw, _), _ = cv2.getTextSize(text, font, height_px / max(th, 1), thickness)
    return float(tw)


def scan_noise(img: np.ndarray, rng: np.random.Generator, *, level: float, thin: int) -> np.ndarray:
    """A scanner's defects: a slight blur and salt-and-pepper specks, scaled by `level`."""
    sigma = 0.35 * thin + 0.4 * level
    out = cv2.GaussianBlur(img, (0, 0), sigma)
    n = int(level * 0.004 * img.size)
    if n:
        ys = rng.integers(0, img.shape[0], n)
        xs = rng.integers(0, img.shape[1], n)
        out[ys, xs] = np.where(rng.random(n) < 0.5, 0, 255).astype(np.uint8)
    return out


def _put_text_fit(
    img: np.ndarray,
    text: str,
    center: tuple[float, float],
    height_px: float,
    max_width_px: float,
    thickness: int,
    color: int = 0,
) -> None:
    """Draw `text` centred, with a cap height of about `height_px`, shrunk to fit the width."""
    font = cv2.FONT_HERSHEY_SIMPLEX
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, thickness)
    scale = height_px / max(th, 1)
    if tw * scale > max_width_px:
        scale = max_width_px / max(tw, 1)
    if scale * th < 4:  # unreadable: real plans omit it too
        return
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    org = (int(center[0] - tw / 2), int(center[1] + th / 2))
    cv2.putText(img, text, org, font, scale, color, thickness, cv2.LINE_AA)


def _stairs(
    img: np.ndarray,
    rng: np.random.Generator,
    box: tuple[int, int, int, int],
    tread: int,
    thin: int,
) -> None:
    """A flight of stairs inside `box`: an outline, one thin line per tread, a walking line."""
    x0, y0, x1, y1 = box
    w = int(min(x1 - x0, tread * int(rng.integers(8, 15))))
    h = int(min(y1 - y0, rng.uniform(0.9, 1.2) * tread / 0.28))
    vertical = rng.random() < 0.5
    if vertical:
        w, h = h, w
        w, h = min(w, x1 - x0), min(h, y1 - y0)
    fx = int(rng.integers(x0, x1 - w + 1))
    fy = int(rng.integers(y0, y1 - h + 1))
    cv2.rectangle(img, (fx, fy), (fx + w, fy + h), 0, thin, cv2.LINE_AA)
    if vertical:
        for y in range(fy + tread, fy + h, tread):
            cv2.line(img, (fx, y), (fx + w, y), 0, thin)
        cv2.arrowedLine(
            img,
            (fx + w // 2, fy + h - tread // 2),
            (fx + w // 2, fy + tread // 2),
            0,
            thin,
            cv2.LINE_AA,
            tipLength=0.05,
        )
    else:
        for x in range(fx + tread, fx + w, tread):
            cv2.line(img, (x, fy), (x, fy + h), 0, thin)
        cv2.arrowedLine(
            img,
            (fx + tread // 2, fy + h // 2),
            (fx + w - tread // 2, fy + h // 2),
            0,
            thin,
            cv2.LINE_AA,
            tipLength=0.05,
        )


def _free_box(labels: np.ndarray, r: Rect, k: int) -> Box:
    """Bounding box of room k's free floor (inside its wall faces)."""
    sub = labels[r.y0 : r.y1, r.x0 : r.x1] == k
    rows, cols = np.flatnonzero(sub.any(1)), np.flatnonzero(sub.any(0))
    return (
        r.x0 + int(cols[0]),
        r.y0 + int(rows[0]),
        r.x0 + int(cols[-1]) + 1,
        r.y0 + int(rows[-1]) + 1,
    )


def _overlaps(a: Box, b: Box, margin: int = 0) -> bool:
    return not (
        a[2] + margin <= b[0]
        or b[2] + margin <= a[0]
        or a[3] + margin <= b[1]
        or b[3] + margin <= a[1]
    )


def _place_furniture(
    img: np.ndarray,
    rng: np.random.Generator,
    inner: Box,
    keepout: list[Box],
    placed: list[Box],
    px: Callable[[float], int],
    thin: int,
) -> None:
    """Draw one piece of furniture in a room's free box, if a free spot is found.

    Beds, counters and baths stand against a wall (closing small outlined areas against it,
    as real plans do); tables and stairs stand free.
    """
    ix0, iy0, ix1, iy1 = inner
    iw, ih = ix1 - ix0, iy1 - iy0
    kind = str(
        rng.choice(
            ["bed", "counter", "bath", "table", "round", "stairs"],
            p=[0.2, 0.25, 0.1, 0.2, 0.15, 0.1],
        )
    )
    sizes_m = {
        "bed": (1.4, 2.0),
        "counter": (2.4, 0.6),
        "bath": (1.7, 0.75),
        "table": (1.4, 1.7),
        "round": (1.0, 1.0),
        "stairs": (2.8, 1.0),
    }
    along_m, depth_m = sizes_m[kind]
    along, depth = px(along_m * rng.uniform(0.8, 1.2)), px(depth_m * rng.uniform(0.9, 1.1))
    for _ in range(8):
        side = int(rng.integers(4))  # the wall it stands against: top, bottom, left, right
        horizontal = side < 2
        w, h = (along, depth) if horizontal else (depth, along)
        if w > 0.9 * iw or h > 0.9 * ih:
            continue
        if kind in ("bed", "counter", "bath"):
            if horizontal:
                x = int(rng.integers(ix0, ix1 - w + 1))
                y = iy0 if side == 0 else iy1 - h
            else:
                y = int(rng.integers(iy0, iy1 - h + 1))
                x = ix0 if side == 2 else ix1 - w
        else:  # free-standing, off the walls
            m = px(0.4)
            if w + 2 * m > iw or h + 2 * m > ih:
                continue
            x = int(rng.integers(ix0 + m, ix1 - w - m + 1))
            y = int(rng.integers(iy0 + m, iy1 - h - m + 1))
        box = (x, y, x + w, y + h)
        if any(_overlaps(box, k, 1) for k in keepout) or any(
            _overlaps(box, b, px(0.2)) for b in placed
        ):
            continue
        placed.append(box)
        _draw_furniture(img, rng, kind, box, side, px, thin)
        return


def _draw_furniture(
    img: np.ndarray,
    rng: np.random.Generator,
    kind: str,
    box: Box,
    side: int,
    px: Callable[[float], int],
    thin: int,
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    aa = cv2.LINE_AA
    if kind == "round":
        r = min(w, h) // 2
        cv2.circle(img, (x0 + w // 2, y0 + h // 2), r, 0, thin, aa)
        return
    if kind == "stairs":
        _stairs(img, rng, box, px(0.28), thin)
        return
    if kind == "table":  # the box holds the table and its chairs on the long sides
        c = px(0.4)
        if w >= h:
            cv2.rectangle(img, (x0, y0 + c), (x1 - 1, y1 - 1 - c), 0, thin, aa)
            for cx in (x0 + w // 4, x0 + 3 * w // 4):
                cv2.rectangle(img, (cx - c // 2, y0), (cx + c // 2, y0 + c - 2), 0, thin, aa)
                cv2.rectangle(img, (cx - c // 2, y1 - c + 1), (cx + c // 2, y1 - 1), 0, thin, aa)
        else:
            cv2.rectangle(img, (x0 + c, y0), (x1 - 1 - c, y1 - 1), 0, thin, aa)
            for cy in (y0 + h // 4, y0 + 3 * h // 4):
                cv2.rectangle(img, (x0, cy - c // 2), (x0 + c - 2, cy + c // 2), 0, thin, aa)
                cv2.rectangle(img, (x1 - c + 1, cy - c // 2), (x1 - 1, cy + c // 2), 0, thin, aa)
        return
    cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), 0, thin, aa)
    if kind == "bed":  # pillows at the wall end
        p = px(0.45)
        if side == 0:
            cv2.line(img, (x0, y0 + p), (x1, y0 + p), 0, thin, aa)
        elif side == 1:
            cv2.line(img, (x0, y1 - p), (x1, y1 - p), 0, thin, aa)
        elif side == 2:
            cv2.line(img, (x0 + p, y0), (x0 + p, y1), 0, thin, aa)
        else:
            cv2.line(img, (x1 - p, y0), (x1 - p, y1), 0, thin, aa)
    elif kind == "bath":  # the tub inside the rim
        m = px(0.1)
        cv2.rectangle(img, (x0 + m, y0 + m), (x1 - m, y1 - m), 0, thin, aa)
        cv2.circle(img, (x0 + w // 2, y0 + h // 2), max(1, px(0.04)), 0, thin, aa)
    elif kind == "counter":  # a sink or a hob somewhere along it
        c = (x0 + int(rng.uniform(0.25, 0.75) * w), y0 + int(rng.uniform(0.25, 0.75) * h))
        r = max(2, px(0.18))
        if rng.random() < 0.5:
            cv2.rectangle(img, (c[0] - r, c[1] - r), (c[0] + r, c[1] + r), 0, thin, aa)
        else:
            for dx in (-r // 2, r // 2):
                for dy in (-r // 2, r // 2):
                    cv2.circle(img, (c[0] + dx, c[1] + dy), max(1, r // 3), 0, thin, aa)
