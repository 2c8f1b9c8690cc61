"""Fixtures for the detector tests: drawn plans and encoders for every input format."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from detector.config import DetectorConfig
from detector_dev.pdf import LETTER_PT, filled_rectangles, pdf_document
from detector_dev.synthetic import DrawnPlan, TruthScore, compare_with_truth, draw_plan


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


@pytest.fixture(scope="session")
def score_rooms() -> Callable[[list, np.ndarray], TruthScore]:
    """`score_rooms(polygons, labels) -> TruthScore`: detected polygons against drawn truth."""
    return compare_with_truth


@pytest.fixture(scope="session")
def make_vector_pdf() -> Callable[..., bytes]:
    """`make_vector_pdf(pages, size_pt=(612, 792))`: a vector PDF of black rectangles."""

    def make(pages: list[list[tuple[float, float, float, float]]], size_pt=LETTER_PT) -> bytes:
        return pdf_document(*(filled_rectangles(rects) for rects in pages), size_pt=size_pt)

    return make
