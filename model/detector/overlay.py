"""A picture of what the detector found: each room filled in its own colour and numbered."""

from __future__ import annotations

import colorsys
from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from .results import Room

FILL_OPACITY = 0.45
_GOLDEN = 0.618033988749895


def room_color(index: int) -> tuple[int, int, int]:
    """A distinct, saturated BGR colour for the index-th room (golden-ratio hue steps)."""
    h = (0.11 + index * _GOLDEN) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, 0.75, 0.95)
    return int(b * 255), int(g * 255), int(r * 255)


def _polygon(room: Room | Mapping[str, Any]) -> np.ndarray:
    pts = room.polygon if isinstance(room, Room) else room["polygon"]
    return np.round(np.asarray(pts, dtype=np.float64)).astype(np.int32).reshape(-1, 1, 2)


def render_overlay(image: np.ndarray, rooms: Sequence[Room | Mapping[str, Any]]) -> np.ndarray:
    """The page as BGR uint8 with each room filled translucently, outlined and numbered.

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
        # the number sits on the room's centroid, on a white tag so it reads on any fill
        m = cv2.moments(poly)
        if m["m00"]:
            cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
        else:
            cx, cy = poly.reshape(-1, 2).mean(axis=0)
        text = str(i + 1)
        (tw, th), _ = cv2.getTextSize(text, font, font_scale, thick)
        x, y = int(cx - tw / 2), int(cy + th / 2)
        pad = max(2, th // 4)
        cv2.rectangle(out, (x - pad, y - th - pad), (x + tw + pad, y + pad), (255, 255, 255), -1)
        cv2.rectangle(out, (x - pad, y - th - pad), (x + tw + pad, y + pad), dark, 1)
        cv2.putText(out, text, (x, y), font, font_scale, dark, thick, cv2.LINE_AA)
    return out


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
