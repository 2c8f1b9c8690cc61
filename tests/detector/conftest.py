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


def vector_pdf(pages: list[list[tuple[float, float, float, float]]], size_pt=(612, 792)) -> bytes:
    """A hand-written PDF: each page filled black rectangles (x, y, w, h) in points, y up."""
    objs: list[bytes] = []
    kids = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, then per page: page object, content stream
    for i, rects in enumerate(pages):
        page_id, content_id = 3 + 2 * i, 4 + 2 * i
        kids.append(f"{page_id} 0 R")
        ops = "0 0 0 rg\n" + "".join(f"{x} {y} {w} {h} re f\n" for x, y, w, h in rects)
        stream = ops.encode()
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size_pt[0]} {size_pt[1]}] "
            f"/Contents {content_id} 0 R /Resources << >> >>".encode()
        )
        objs.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"endstream")
    head = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {n_pages} >>".encode(),
    ]
    body = b"%PDF-1.7\n"
    offsets = []
    for num, obj in enumerate(head + objs, start=1):
        offsets.append(len(body))
        body += f"{num} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return body


@pytest.fixture(scope="session")
def make_vector_pdf() -> Callable[..., bytes]:
    """`make_vector_pdf(pages, size_pt=(612, 792))`: a vector PDF of black rectangles."""
    return vector_pdf
