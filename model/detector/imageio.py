"""Bytes in, page images out: sniffing, safety limits and decoding of every input format.

The order matters for safety: the type comes from the magic bytes (a content type is only a
hint), the size comes from the header (Pillow opens images lazily; pdfium reports page sizes
without rendering), and only inputs within `config.max_pixels`, `config.max_pages`,
`config.max_total_pixels` and `config.min_side_px` are decoded. So a decompression bomb or a
1000-page PDF is refused in milliseconds without allocating its pixels.

Pages come out at their original resolution as uint8: HxW grey, or HxWx3 BGR for colour input
(OpenCV's order). Transparency is composited on white paper, palettes are expanded, 16-bit
samples are scaled to 8 bits, and EXIF orientation is applied so a page is the way it is seen.
With `grey=True` (the server) colour pages come out as the detector's own grey (`to_grey8`:
the brightest channel), converted a band of rows at a time, so a 60 MP colour page never exists
as a full BGR array: the detector reads grey, and its result is the same.

Hostile input is bounded: a PNG's chunk checksums are verified (Pillow does not check the pixel
data's, and decodes corrupt data to garbage), and a PDF page is rendered progressively within
`config.max_pdf_render_s` for the whole document (pdfium has no bound of its own: 200,000 drawn
lines take a minute and hold the process-wide pdfium lock meanwhile).
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
import re
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .config import DetectorConfig
from .errors import (
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    PdfError,
    PdfTooComplexError,
    UnsupportedFormatError,
)
from .formats import CONTENT_TYPES, SNIFF_BYTES, sniff_format, unsupported_format_message

log = logging.getLogger(__name__)

# The Pillow plugin that reads each format of `detector.formats`.
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF", "bmp": "BMP", "webp": "WEBP"}
# pdfium is not thread-safe: one document operation at a time per process.
_PDFIUM_LOCK = threading.Lock()
# Rows converted to grey at a time: a band of a 60 MP colour page is a few MB.
_BAND_ROWS = 256
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Page objects (`/Type /Page`) and page tree nodes (`/Type /Pages`), when not in object streams.
_PDF_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_PDF_PAGE_TREE = re.compile(rb"/Type\s*/Pages(?![A-Za-z])")


def _is_pageless_pdf(data: bytes) -> bool:
    """A page tree without a single page object (and nothing hidden in object streams)."""
    return (
        b"/ObjStm" not in data
        and _PDF_PAGE_TREE.search(data) is not None
        and _PDF_PAGE_OBJECT.search(data) is None
    )


@dataclass(frozen=True)
class DecodedPlan:
    content_type: str
    pages: list[np.ndarray]  # each HxW uint8 grey or HxWx3 uint8 BGR, original resolution


def decode_plan(
    data: bytes | bytearray | memoryview,
    config: DetectorConfig,
    content_type: str | None = None,
    *,
    grey: bool = False,
    name: str | None = None,
) -> DecodedPlan:
    """Decode a plan's bytes into its pages; raises an `InvalidPlanError` subclass.

    `content_type` is a hint from the caller (an HTTP header, an S3 object's metadata): the
    magic bytes decide, and a disagreeing hint is only logged. `grey=True` returns every page
    as HxW uint8 grey, as the detector sees it, for a third of the memory of colour. `name`
    (a file name or key) only goes into the message for a file that is not a plan.
    """
    if not isinstance(data, bytes):
        data = bytes(data)  # bytearray / memoryview from a stream or a server framework
    if not data:
        raise EmptyInputError("the plan is empty (0 bytes)")
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedFormatError(
            unsupported_format_message(data[:SNIFF_BYTES], name, content_type)
        )
    sniffed = CONTENT_TYPES[fmt]
    if content_type and content_type.split(";")[0].strip().lower() not in (
        sniffed,
        "application/octet-stream",
        "binary/octet-stream",
        "image/jpg",
        "image/tif",
    ):
        log.info(
            "content type %s declared, but the bytes are %s: reading %s",
            content_type,
            sniffed,
            sniffed,
        )
    if fmt == "pdf":
        pages = _decode_pdf(data, config)  # pdfium renders grey
    else:
        if fmt == "png":
            _check_png_chunks(data)
        pages = _decode_image(data, fmt, config, grey)
    return DecodedPlan(sniffed, pages)


def _check_png_chunks(data: bytes) -> None:
    """Refuse a PNG whose chunks fail their CRC-32 (Pillow never checks the pixel data's).

    Corrupt compressed pixels otherwise decode to garbage, and the plan would "succeed" with
    0 rooms. A truncated last chunk is left to the decoder, which says so.
    """
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        end = pos + 8 + length
        if end + 4 > len(data):
            return
        kind = data[pos + 4 : pos + 8]
        (crc,) = struct.unpack_from(">I", data, end)
        if zlib.crc32(data[pos + 4 : end]) != crc:
            raise CorruptImageError(
                f"the PNG is corrupt: its {kind.decode('latin-1')!r} chunk at byte {pos} fails "
                "its CRC check"
            )
        if kind == b"IEND":
            return
        pos = end + 4


def _check_total(total: int, config: DetectorConfig, what: str) -> None:
    """Refuse a document whose pages together exceed `max_total_pixels`, before decoding."""
    if total > config.max_total_pixels:
        raise ImageTooLargeError(
            f"{what}: its pages come to {total:,} pixels, over the limit of "
            f"{config.max_total_pixels:,} for one document (max_total_pixels)"
        )


def _check_size(width: int, height: int, config: DetectorConfig, what: str) -> None:
    """Refuse a page by its declared size, before any pixel is decoded."""
    if width * height > config.max_pixels:
        raise ImageTooLargeError(
            f"{what} is {width} x {height} = {width * height:,} pixels, over the limit of "
            f"{config.max_pixels:,} (max_pixels)"
        )
    if min(width, height) < config.min_side_px:
        raise ImageTooSmallError(
            f"{what} is {width} x {height} pixels: too small to hold a plan (min_side_px is "
            f"{config.min_side_px})"
        )


# --- raster images (Pillow) -------------------------------------------------------------------

_PIL_READ_ERRORS = (OSError, SyntaxError, ValueError, struct.error, EOFError, IndexError)


def _decode_image(data: bytes, fmt: str, config: DetectorConfig, grey: bool) -> list[np.ndarray]:
    # Pillow may warn (its own bomb threshold, odd EXIF); our limits decide either way. The
    # warnings are left alone: silencing them per call is not thread-safe.
    return _decode_with_pillow(data, fmt, _PIL_FORMATS[fmt], config, grey)


def _decode_with_pillow(
    data: bytes, fmt: str, name: str, config: DetectorConfig, grey: bool
) -> list[np.ndarray]:
    try:
        im = Image.open(io.BytesIO(data), formats=[name])  # lazy: reads the header only
    except Image.DecompressionBombError as err:
        raise ImageTooLargeError(f"the {name} header declares too many pixels: {err}") from err
    except UnidentifiedImageError as err:
        raise CorruptImageError(
            f"the {name} header cannot be read (truncated or corrupt file)"
        ) from err
    except _PIL_READ_ERRORS as err:
        raise CorruptImageError(f"the {name} header cannot be read: {err}") from err
    with im:
        n_frames = int(getattr(im, "n_frames", 1)) if fmt == "tiff" else 1
        if n_frames > config.max_pages:
            raise ImageTooLargeError(
                f"the TIFF has {n_frames} pages, over the limit of {config.max_pages} (max_pages)"
            )
        pages = []
        total = 0
        for i, frame in enumerate(_frames(im, n_frames)):
            what = f"the {name} image" if n_frames == 1 else f"TIFF page {i + 1}"
            _check_size(frame.width, frame.height, config, what)
            total += frame.width * frame.height  # header sizes: nothing decoded yet
            _check_total(total, config, f"the {name} up to page {i + 1}")
            try:
                frame.load()
            except Image.DecompressionBombError as err:
                raise ImageTooLargeError(f"{what}: {err}") from err
            except _PIL_READ_ERRORS as err:
                raise CorruptImageError(f"{what} cannot be decoded: {err}") from err
            pages.append(_to_grey(frame) if grey else _to_array(frame))
    return pages


def _frames(im: Image.Image, n: int) -> Iterator[Image.Image]:
    if n == 1:
        yield im
    else:
        yield from ImageSequence.Iterator(im)


def _to_array(im: Image.Image) -> np.ndarray:
    """A loaded Pillow image as uint8 grey (HxW) or BGR (HxWx3), alpha composited on white.

    Conversions stay in Pillow and OpenCV (C, 8-bit) so a 24 MP page never needs a 16-bit
    numpy copy of itself.
    """
    # EXIF orientation only exists on formats that carry EXIF; a no-op otherwise.
    if im.format in ("JPEG", "TIFF", "WEBP", "PNG") and im.getexif().get(0x0112, 1) != 1:
        im = ImageOps.exif_transpose(im)
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("PA", "RGBa", "La"):
        im = im.convert("RGBA" if im.mode != "La" else "LA")
    mode = im.mode
    if mode in ("1", "L"):
        return np.array(im.convert("L"))
    if mode.startswith("I") or mode == "F":
        return _scale_to_8bit(np.asarray(im))
    if mode in ("LA", "RGBA"):
        paper = Image.new(mode[:-1], im.size, 255 if mode == "LA" else (255, 255, 255))
        paper.paste(im.convert(mode[:-1]), mask=im.getchannel("A"))
        im = paper
        if mode == "LA":
            return np.array(im)
    if im.mode != "RGB":  # CMYK, YCbCr, LAB, HSV, ...
        im = im.convert("RGB")
    return cv2.cvtColor(np.asarray(im), cv2.COLOR_RGB2BGR)


def _to_grey(im: Image.Image) -> np.ndarray:
    """A loaded Pillow image as the detector's grey (`to_grey8` of `_to_array`), band by band.

    Colour conversions are per pixel, so converting bands of rows gives the same bytes as the
    whole page, without the page-sized RGB, BGR and composited copies.
    """
    from .stages import to_grey8  # the detector's own reduction, so results are unchanged

    if im.format in ("JPEG", "TIFF", "WEBP", "PNG") and im.getexif().get(0x0112, 1) != 1:
        im = ImageOps.exif_transpose(im)
    if im.mode in ("1", "L") or im.mode.startswith("I") or im.mode == "F":
        return to_grey8(_to_array(im))  # already one channel (16-bit scaling needs the whole)
    width, height = im.size
    out = np.empty((height, width), np.uint8)
    for top in range(0, height, _BAND_ROWS):
        bottom = min(top + _BAND_ROWS, height)
        band = im.crop((0, top, width, bottom))  # no `format`: `_to_array` will not transpose
        out[top:bottom] = to_grey8(_to_array(band))
    return out


def _scale_to_8bit(a: np.ndarray) -> np.ndarray:
    """16-bit (or 32-bit integer / float) grey to uint8, keeping the full range's meaning.

    16-bit samples map 0..65535 to 0..255; floats are taken as 0..1 unless they exceed 1.
    """
    if a.dtype == np.uint8:
        return np.array(a)
    if a.size == 0:
        return np.zeros(a.shape, np.uint8)
    if a.dtype.kind == "f":
        if np.isnan(a).any():
            a = np.nan_to_num(a)
        hi = float(a.max())
        top = 1.0 if hi <= 1.0 else hi
    else:
        hi = int(a.max())
        top = 65535 if hi <= 65535 else hi
    if a.dtype.kind in "iuf" and a.min() < 0:
        a = np.maximum(a, 0)  # convertScaleAbs would fold negatives up
    if a.dtype == np.uint32:
        a = a.astype(np.float32)  # convertScaleAbs has no 32-bit unsigned input
    return cv2.convertScaleAbs(a, alpha=255.0 / top)


# --- PDF (pdfium) -----------------------------------------------------------------------------


def _decode_pdf(data: bytes, config: DetectorConfig) -> list[np.ndarray]:
    import pypdfium2 as pdfium  # only PDF input pays for loading pdfium

    scale = config.pdf_dpi / 72.0  # PDF user space is 1/72 inch
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:
            msg = str(err)
            if "password" in msg.lower():
                raise PdfError("the PDF is encrypted (password protected)") from err
            # pdfium refuses a document without pages but sets no error of its own, so its
            # message shows whatever error came before ("Success" on a fresh process).
            if _is_pageless_pdf(data):
                raise PdfError("the PDF has no pages (its page tree is empty or missing)") from err
            raise PdfError(f"the PDF cannot be read: {msg}") from err
        try:
            n = len(doc)
            if n == 0:
                raise PdfError("the PDF has no pages")
            if n > config.max_pages:
                raise ImageTooLargeError(
                    f"the PDF has {n} pages, over the limit of {config.max_pages} (max_pages)"
                )
            # Check every page's size first, so a bad last page costs no rendering.
            total = 0
            for i in range(n):
                page = doc[i]
                try:
                    w_pt, h_pt = page.get_size()
                finally:
                    page.close()
                w, h = round(w_pt * scale), round(h_pt * scale)
                _check_size(w, h, config, f"PDF page {i + 1} at {config.pdf_dpi} dpi")
                total += w * h
            _check_total(total, config, f"the PDF at {config.pdf_dpi} dpi")
            deadline = time.monotonic() + config.max_pdf_render_s
            pages = []
            for i in range(n):
                page = doc[i]
                try:
                    pages.append(_render_grey(page, scale, deadline, config, i))
                except pdfium.PdfiumError as err:
                    raise PdfError(f"PDF page {i + 1} cannot be rendered: {err}") from err
                finally:
                    page.close()
            return pages
        finally:
            doc.close()


def _render_grey(page: Any, scale: float, deadline: float, config: DetectorConfig, i: int) -> Any:
    """One page rendered grey on white, as `page.render(grayscale=True)` does, but progressively:
    pdfium asks after every few drawing objects whether to pause, and we stop at `deadline`.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    width = math.ceil(page.get_width() * scale)
    height = math.ceil(page.get_height() * scale)
    bitmap = pdfium.PdfBitmap.new_native(width, height, format=pdfium_c.FPDFBitmap_Gray)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
    pause = pdfium_c.IFSDK_PAUSE(version=1)
    callback = type(pause.NeedToPauseNow)(lambda _pause: time.monotonic() > deadline)
    pause.NeedToPauseNow = callback  # `callback` stays referenced until rendering ends
    flags = pdfium_c.FPDF_GRAYSCALE | pdfium_c.FPDF_ANNOT
    try:
        status = pdfium_c.FPDF_RenderPageBitmap_Start(
            bitmap, page, 0, 0, width, height, 0, flags, ctypes.byref(pause)
        )
        while status == pdfium_c.FPDF_RENDER_TOBECONTINUED and time.monotonic() <= deadline:
            status = pdfium_c.FPDF_RenderPage_Continue(page, ctypes.byref(pause))
    finally:
        pdfium_c.FPDF_RenderPage_Close(page)
    if status == pdfium_c.FPDF_RENDER_TOBECONTINUED:
        raise PdfTooComplexError(
            f"PDF page {i + 1} is too complex to render: not done after "
            f"{config.max_pdf_render_s:g} s for the document (max_pdf_render_s)"
        )
    if status != pdfium_c.FPDF_RENDER_DONE:
        raise PdfError(f"PDF page {i + 1} cannot be rendered (pdfium status {status})")
    grey = np.array(bitmap.to_numpy())  # copy: the bitmap's buffer is freed with it
    return grey[..., 0] if grey.ndim == 3 else grey
