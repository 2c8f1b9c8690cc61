"""A picture of what the detector found: each room filled in its own colour and numbered."""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from .results import Room

FILL_OPACITY = 0.45
TAG_SHARE = 0.95  # a caption's tag takes at most this share of its room's width and height
MIN_FONT_SCALE = 0.35  # smaller is not readable: a room too small for it shows less of its caption
_GOLDEN = 0.618033988749895


def room_color(index: int) -> tuple[int, int, int]:
    """A distinct, saturated BGR colour for the index-th room (golden-ratio hue steps)."""
    h = (0.11 + index * _GOLDEN) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, 0.75, 0.95)
    return int(b * 255), int(g * 255), int(r * 255)


def _polygon(room: Room | Mapping[str, Any]) -> np.ndarray:
    pts = room.polygon if isinstance(room, Room) else room["polygon"]
    return np.round(np.asarray(pts, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)


def _field(room: Room | Mapping[str, Any], name: str) -> Any:
    return getattr(room, name, None) if isinstance(room, Room) else room.get(name)


def room_caption(index: int, room: Room | Mapping[str, Any]) -> list[str]:
    """The lines written on a room: its number and name, then its area when the scale is
    known ("3 Bedroom", "12.4 m2 / 133 ft2"). ASCII only: OpenCV's fonts have no superscript."""
    label = _field(room, "label") or _field(room, "type")
    lines = [f"{index + 1} {label}" if label else str(index + 1)]
    area_m2, area_ft2 = _field(room, "area_m2"), _field(room, "area_ft2")
    if area_m2 is not None:
        lines.append(
            f"{area_m2:.1f} m2" + (f" / {area_ft2:.0f} ft2" if area_ft2 is not None else "")
        )
    return ["".join(c if 32 <= ord(c) < 127 else "?" for c in ln) for ln in lines]


def render_overlay(image: np.ndarray, rooms: Sequence[Room | Mapping[str, Any]]) -> np.ndarray:
    """The page as BGR uint8 with each room filled translucently, outlined, numbered and,
    where known, named with its area (`room_caption`).

    `image` is a page as decoded (HxW grey or HxWx3 BGR, any size); `rooms` are `Room`s or
    their JSON dicts, in that page's pixel coordinates. Numbers are 1-based in list order, so
    number k is `rooms[k - 1]`. Line and text sizes follow the page size.
    """
    if image.ndim == 2:
        base = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        base = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    else:
        base = image.copy()
    if base.dtype != np.uint8:
        base = cv2.normalize(base, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if not rooms:
        return base
    polys = [_polygon(r) for r in rooms]
    fill = base.copy()
    for i, poly in enumerate(polys):
        cv2.fillPoly(fill, [poly], room_color(i))
    out = cv2.addWeighted(fill, FILL_OPACITY, base, 1 - FILL_OPACITY, 0)

    side = min(base.shape[:2])
    line = max(1, round(side / 400))
    font_scale = max(0.35, side / 1000)
    thick = max(1, round(font_scale * 2))
    font = cv2.FONT_HERSHEY_SIMPLEX
    for i, poly in enumerate(polys):
        color = room_color(i)
        dark = tuple(int(c * 0.6) for c in color)
        cv2.polylines(out, [poly], True, dark, line, cv2.LINE_AA)
        # the caption sits on the room's centroid, on a white tag so it reads on any fill
        m = cv2.moments(poly)
        if m["m00"]:
            cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
        else:
            cx, cy = poly.reshape(-1, 2).mean(axis=0)
        caption = room_caption(i, rooms[i])
        _, _, room_w, room_h = cv2.boundingRect(poly)
        # all of it; else the number and name; else the number (the document has the rest)
        for lines in (caption, caption[:1], [str(i + 1)]):
            scale, thick = _fitted(lines, font, font_scale, room_w, room_h)
            if scale is not None:
                break
        scale = scale or MIN_FONT_SCALE
        sizes = [cv2.getTextSize(t, font, scale, thick)[0] for t in lines]
        th = max(h for _, h in sizes)
        pad = max(2, th // 4)
        step = th + 2 * pad
        top = int(cy - len(lines) * step / 2)
        tag_w = max(w for w, _ in sizes)
        x0 = int(cx - tag_w / 2)
        box = (x0 - pad, top), (x0 + tag_w + pad, top + len(lines) * step)
        cv2.rectangle(out, *box, (255, 255, 255), -1)
        cv2.rectangle(out, *box, dark, 1)
        for k, (text, (tw, _)) in enumerate(zip(lines, sizes, strict=True)):
            y = top + k * step + pad + th
            cv2.putText(out, text, (int(cx - tw / 2), y), font, scale, dark, thick, cv2.LINE_AA)
    return out


def _fitted(
    lines: list[str], font: int, scale: float, room_w: int, room_h: int
) -> tuple[float | None, int]:
    """The font scale (at most `scale`) and stroke at which the caption's tag fits inside a
    room of that box, so a tag does not cover its neighbours' names; None when it fits at
    no readable size."""
    thick = max(1, round(scale * 2))
    sizes = [cv2.getTextSize(t, font, scale, thick)[0] for t in lines]
    w, h = max(sw for sw, _ in sizes), max(sh for _, sh in sizes)
    tag_w, tag_h = w * 1.1 + 4, len(lines) * h * 1.5 + 4  # with the tag's padding
    fit = min(1.0, TAG_SHARE * room_w / tag_w, TAG_SHARE * room_h / tag_h)
    if scale * fit < MIN_FONT_SCALE:
        return None, max(1, round(MIN_FONT_SCALE * 2))
    return scale * fit, max(1, round(scale * fit * 2))


def document_overlays(
    data: bytes, doc: Mapping[str, Any], config: Any, content_type: str | None = None
) -> list[np.ndarray]:
    """The overlay of every page of a results document, drawn on the plan's own bytes.

    `data` must be the plan the document describes: other bytes than its `source.sha256`, or
    pages of other sizes, raise `ValueError` rather than drawing rooms out of place.
    `config` is the `DetectorConfig` whose limits bound the decoding.
    """
    import hashlib

    from .imageio import decode_plan

    if doc.get("status") != "succeeded":
        raise ValueError("a failed plan's document has no rooms to draw")
    expected = (doc.get("source") or {}).get("sha256")
    if expected and hashlib.sha256(data).hexdigest() != expected:
        raise ValueError(
            "this is not the plan of the document (its sha256 differs from source.sha256)"
        )
    pages = decode_plan(data, config, content_type).pages
    if len(pages) != len(doc["pages"]):
        raise ValueError(f"the plan has {len(pages)} pages, the document {len(doc['pages'])}")
    out = []
    for page, page_doc in zip(pages, doc["pages"], strict=True):
        h, w = page.shape[:2]
        if (w, h) != (page_doc["width"], page_doc["height"]):
            raise ValueError(
                f"page {page_doc['index'] + 1} is {w} x {h} px, the document says "
                f"{page_doc['width']} x {page_doc['height']}: not the plan of this document"
            )
        out.append(render_overlay(page, page_doc["rooms"]))
    return out


def overlay_names(stem: str, page_count: int) -> list[str]:
    """`<stem>.overlay.png` for one page, `<stem>.page<N>.overlay.png` for several."""
    if page_count == 1:
        return [f"{stem}.overlay.png"]
    return [f"{stem}.page{i + 1}.overlay.png" for i in range(page_count)]
