"""Fixtures for the detector tests: drawn plans and encoders for every input format."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from PIL import Image

from detector.config import DetectorConfig
from detector.synthetic import DrawnPlan, draw_plan


@pytest.fixture(scope="session")
def config() -> DetectorConfig:
    return DetectorConfig()


@pytest.fixture(scope="session")
def small_plan() -> DrawnPlan:
    """A clean 640 x 480 drawn plan, shared by the format and CLI tests."""
    return draw_plan(21, 640, 480)


def encode_with_pillow(im: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


@pytest.fixture(scope="session")
def pil_encode() -> Callable[..., bytes]:
    """`pil_encode(image, "PNG", **save_params)`: bytes of a Pillow image in that format."""
    return encode_with_pillow


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


@pytest.fixture(scope="session")
def png_claiming() -> Callable[[int, int], bytes]:
    """A well-formed PNG whose header claims `width` x `height` (a decompression bomb)."""

    def make(width: int, height: int) -> bytes:
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
        # a tiny compressed stream standing in for the billions of zero bytes it would inflate
        idat = zlib.compress(b"\x00" * 4096, 9)
        return (
            b"\x89PNG\r\n\x1a\n"
            + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b"")
        )

    return make


@pytest.fixture(scope="session")
def pdf_of() -> Callable[..., bytes]:
    """`pdf_of(arrays, dpi=...)`: a PDF with one page per uint8 image, at that resolution."""

    def make(arrays: list[np.ndarray], dpi: float = 150) -> bytes:
        ims = [Image.fromarray(a) for a in arrays]
        return encode_with_pillow(
            ims[0], "PDF", save_all=True, append_images=ims[1:], resolution=dpi
        )

    return make


@dataclass(frozen=True)
class Match:
    """Detected rooms against drawn truth, matched one to one at IoU > 0.5."""

    drawn: int
    found: int
    ious: tuple[float, ...]  # one per matched pair

    @property
    def tp(self) -> int:
        return len(self.ious)


def match_rooms(polygons: list, labels: np.ndarray) -> Match:
    """Rasterise each polygon, match it to the truth room it overlaps most if IoU > 0.5.

    With IoU > 0.5 a match is unique both ways, so no assignment step is needed; a truth
    room claimed twice (overlapping detections) counts once.
    """
    n = int(labels.max())
    gt_area = np.bincount(labels.ravel(), minlength=n + 1)
    best: dict[int, float] = {}
    for poly in polygons:
        pts = np.round(np.asarray(poly, np.float64)).astype(np.int32).reshape(-1, 2)
        x, y, w, h = cv2.boundingRect(pts)
        mask = np.zeros((h, w), np.uint8)
        cv2.fillPoly(mask, [pts - [x, y]], 1)
        crop = labels[y : y + h, x : x + w]
        inside = mask[: crop.shape[0], : crop.shape[1]] > 0
        inter = np.bincount(crop[inside], minlength=n + 1)
        inter[0] = 0
        g = int(np.argmax(inter))
        if g == 0:
            continue
        iou = inter[g] / (int(mask.sum()) + gt_area[g] - inter[g])
        if iou > 0.5:
            best[g] = max(best.get(g, 0.0), float(iou))
    return Match(drawn=n, found=len(polygons), ious=tuple(best.values()))


@pytest.fixture(scope="session")
def score_rooms() -> Callable[[list, np.ndarray], Match]:
    """`score_rooms(polygons, labels) -> Match`: detected polygons against drawn truth."""
    return match_rooms
