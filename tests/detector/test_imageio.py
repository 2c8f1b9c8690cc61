"""decode_plan: every format and pixel type, and every kind of bad input (fast, bounded)."""

from __future__ import annotations

import io
import resource
import struct
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from detector.config import DetectorConfig
from detector.errors import (
    CorruptImageError,
    EmptyInputError,
    ImageTooLargeError,
    ImageTooSmallError,
    InvalidPlanError,
    PdfError,
    UnsupportedFormatError,
)
from detector.formats import sniff_format
from detector.imageio import decode_plan
from detector.opencv_detector import OpenCVDetector

W, H = 320, 240


@pytest.fixture(scope="module")
def grey(small_plan) -> np.ndarray:
    return cv2.resize(small_plan.image, (W, H), interpolation=cv2.INTER_AREA)


# --- formats and pixel types ------------------------------------------------------------------


def _cases(grey: np.ndarray) -> dict[str, tuple[Image.Image, str, dict]]:
    rgb = np.dstack([grey, grey, np.full_like(grey, 200)])  # coloured, to check channel order
    rgba = np.dstack([rgb, np.full_like(grey, 255)])
    rgba[: H // 2, :, 3] = 0  # top half fully transparent: must come out white
    g16 = grey.astype(np.uint16) * 257
    return {
        "png-grey": (Image.fromarray(grey), "PNG", {}),
        "png-rgb": (Image.fromarray(rgb), "PNG", {}),
        "png-rgba": (Image.fromarray(rgba, "RGBA"), "PNG", {}),
        "png-palette": (Image.fromarray(rgb).quantize(16), "PNG", {}),
        "png-1bit": (Image.fromarray(grey).convert("1"), "PNG", {}),
        "png-grey16": (Image.fromarray(g16), "PNG", {}),
        "png-grey-alpha": (Image.fromarray(rgba[..., [0, 3]], "LA"), "PNG", {}),
        "jpeg-grey": (Image.fromarray(grey), "JPEG", {"quality": 95}),
        "jpeg-rgb": (Image.fromarray(rgb), "JPEG", {"quality": 95}),
        "jpeg-cmyk": (Image.fromarray(rgb).convert("CMYK"), "JPEG", {}),
        "tiff-grey": (Image.fromarray(grey), "TIFF", {}),
        "tiff-rgb-lzw": (Image.fromarray(rgb), "TIFF", {"compression": "tiff_lzw"}),
        "tiff-grey16": (Image.fromarray(g16), "TIFF", {}),
        "tiff-grey-float": (Image.fromarray(grey.astype(np.float32) / 255), "TIFF", {}),
        "tiff-grey-int32": (Image.fromarray(grey.astype(np.int32) * 257), "TIFF", {}),
        "bmp-rgb": (Image.fromarray(rgb), "BMP", {}),
        "bmp-palette": (Image.fromarray(rgb).quantize(16), "BMP", {}),
        "webp-rgb": (Image.fromarray(rgb), "WEBP", {"lossless": True}),
        "webp-rgba": (Image.fromarray(rgba, "RGBA"), "WEBP", {"lossless": True}),
    }


CASES = [
    "png-grey",
    "png-rgb",
    "png-rgba",
    "png-palette",
    "png-1bit",
    "png-grey16",
    "png-grey-alpha",
    "jpeg-grey",
    "jpeg-rgb",
    "jpeg-cmyk",
    "tiff-grey",
    "tiff-rgb-lzw",
    "tiff-grey16",
    "tiff-grey-float",
    "tiff-grey-int32",
    "bmp-rgb",
    "bmp-palette",
    "webp-rgb",
    "webp-rgba",
]


@pytest.mark.parametrize("case", CASES)
def test_each_format_and_pixel_type_decodes(case, grey, pil_encode, config):
    im, fmt, params = _cases(grey)[case]
    data = pil_encode(im, fmt, **params)
    plan = decode_plan(data, config)
    assert plan.content_type == f"image/{fmt.lower()}"
    [page] = plan.pages
    assert page.dtype == np.uint8 and page.shape[:2] == (H, W)
    assert page.ndim == 2 or page.shape[2] == 3
    g = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    if "alpha" in case or "rgba" in case:
        assert (g[: H // 2] == 255).all()  # transparent -> white paper
        rows = slice(H // 2, H)
    else:
        rows = slice(0, H)
    if "rgb" in case and "grey" not in case:
        # channel order is BGR, as OpenCV expects: the RGB image's B channel was 200
        assert page.ndim == 3
        tol = 12 if fmt == "JPEG" else 1
        assert abs(int(np.median(page[rows][..., 0])) - 200) <= tol  # blue channel holds 200
    # the drawing survives: same ink where the plan has ink
    ink = grey[rows] < 100
    assert (g[rows][ink] < 140).mean() > 0.9
    assert (g[rows][~ink] > 100).mean() > 0.9


def test_sixteen_bit_is_scaled_not_truncated(pil_encode, config):
    ramp = np.tile(np.linspace(0, 65535, W).astype(np.uint16), (H, 1))
    [page] = decode_plan(pil_encode(Image.fromarray(ramp), "PNG"), config).pages
    assert page.dtype == np.uint8 and page[0, 0] == 0 and page[0, -1] == 255
    assert 120 <= page[0, W // 2] <= 135


def test_multipage_tiff_gives_every_page(grey, pil_encode, config):
    ims = [Image.fromarray(grey), Image.fromarray(255 - grey)]
    data = pil_encode(ims[0], "TIFF", save_all=True, append_images=ims[1:])
    plan = decode_plan(data, config)
    assert len(plan.pages) == 2 and all(p.shape == (H, W) for p in plan.pages)
    with pytest.raises(ImageTooLargeError, match="max_pages"):
        decode_plan(data, DetectorConfig(max_pages=1))


def test_a_documents_pages_together_are_bounded(grey, pil_encode, pdf_of):
    ims = [Image.fromarray(grey)] * 3
    tiff = pil_encode(ims[0], "TIFF", save_all=True, append_images=ims[1:])
    pdf = pdf_of([grey] * 3, dpi=72)  # 72 dpi: a PDF point is a pixel at pdf_dpi 72
    for data in (tiff, pdf):
        cfg = DetectorConfig(pdf_dpi=72, max_total_pixels=3 * W * H)
        assert len(decode_plan(data, cfg).pages) == 3
        cfg = DetectorConfig(pdf_dpi=72, max_total_pixels=3 * W * H - 1)
        with pytest.raises(ImageTooLargeError, match="max_total_pixels"):
            decode_plan(data, cfg)


def test_pdf_every_page_at_the_configured_dpi(grey, pdf_of):
    data = pdf_of([grey, np.ascontiguousarray(grey.T)], dpi=100)
    plan = decode_plan(data, DetectorConfig(pdf_dpi=200))
    assert plan.content_type == "application/pdf"
    # the pages are W/100 and H/100 inches: at 200 dpi twice the pixels
    # (pdfium rounds a fractional page edge up: allow one pixel)
    for page, (h, w) in zip(plan.pages, [(2 * H, 2 * W), (2 * W, 2 * H)], strict=True):
        assert abs(page.shape[0] - h) <= 1 and abs(page.shape[1] - w) <= 1
    assert all(p.dtype == np.uint8 for p in plan.pages)
    # rendering keeps the drawing
    page = cv2.resize(plan.pages[0], (W, H), interpolation=cv2.INTER_AREA)
    assert np.abs(page.astype(int) - grey).mean() < 20


def test_magic_bytes_decide_not_the_content_type(grey, pil_encode, config):
    data = pil_encode(Image.fromarray(grey), "PNG")
    plan = decode_plan(data, config, content_type="image/jpeg")
    assert plan.content_type == "image/png"
    with pytest.raises(UnsupportedFormatError, match="declared as image/png"):
        decode_plan(b"hello, I am text", config, content_type="image/png")


def test_sniff_format():
    assert sniff_format(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff_format(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_format(b"II*\x00") == "tiff" and sniff_format(b"MM\x00*") == "tiff"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert sniff_format(b"junk\n%PDF-1.7") == "pdf"
    assert sniff_format(b"GIF89a") is None


def test_blank_valid_plan_gives_zero_rooms_not_an_error(pil_encode, config):
    blank = np.full((600, 800), 255, np.uint8)
    plan = decode_plan(pil_encode(Image.fromarray(blank), "PNG"), config)
    assert OpenCVDetector(config).detect_pages(plan.pages)[0].rooms == []


# --- bad input: each a specific error, fast, in bounded memory --------------------------------


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _bmp_claiming(w: int, h: int) -> bytes:
    header = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
    dib = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return header + dib


def _tiff_claiming(w: int, h: int) -> bytes:
    """A little-endian TIFF whose one IFD declares w x h 8-bit grey, with no pixel data."""
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1)]
    tags += [(273, 4, 1, 8), (278, 4, 1, h), (279, 4, 1, (w * h) & 0xFFFFFFFF)]
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", *t) for t in tags)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 4


def _webp_claiming(w: int, h: int) -> bytes:
    """An extended-format (VP8X) WebP whose canvas is w x h, with no image chunk."""
    body = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    body += (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def _jpeg_claiming(w: int, h: int, grey, pil_encode) -> bytes:
    data = bytearray(pil_encode(Image.fromarray(grey), "JPEG"))
    i = data.find(b"\xff\xc0")  # baseline SOF0: length(2) precision(1) height(2) width(2)
    data[i + 5 : i + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def _bad_inputs(grey, pil_encode, pdf_of, png_claiming):
    import pypdf

    png = pil_encode(Image.fromarray(grey), "PNG")
    pdf = pdf_of([grey])
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt("secret", algorithm="RC4-128")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    # a PDF whose one page is 200 x 200 inches: 30000 x 30000 px at 150 dpi
    huge_page = pdf_of([grey[:10, :10]], dpi=0.05)
    tiny = pil_encode(Image.fromarray(np.zeros((1, 1), np.uint8)), "PNG")
    return {
        "zero bytes": (b"", EmptyInputError, ""),
        "text": (b"room 1, room 2\n", UnsupportedFormatError, "not a PNG"),
        "random bytes": (bytes(range(256)) * 4, UnsupportedFormatError, ""),
        "gif": (pil_encode(Image.fromarray(grey), "GIF"), UnsupportedFormatError, "GIF"),
        "truncated png": (_truncated(png), CorruptImageError, "truncated"),
        "png header only": (png[:30], CorruptImageError, ""),
        "truncated jpeg": (
            _truncated(pil_encode(Image.fromarray(grey), "JPEG")),
            CorruptImageError,
            "truncated",
        ),
        "truncated tiff": (
            _truncated(pil_encode(Image.fromarray(grey), "TIFF")),
            CorruptImageError,
            "",
        ),
        "truncated bmp": (
            _truncated(pil_encode(Image.fromarray(grey), "BMP")),
            CorruptImageError,
            "",
        ),
        "truncated webp": (
            _truncated(pil_encode(Image.fromarray(grey), "WEBP")),
            CorruptImageError,
            "",
        ),
        "png bomb 100k x 100k": (png_claiming(100_000, 100_000), ImageTooLargeError, "pixels"),
        "png 9000 x 9000": (png_claiming(9000, 9000), ImageTooLargeError, "max_pixels"),
        "jpeg bomb 60k x 60k": (
            _jpeg_claiming(60000, 60000, grey, pil_encode),
            ImageTooLargeError,
            "",
        ),
        "bmp bomb 50k x 50k": (_bmp_claiming(50_000, 50_000), ImageTooLargeError, ""),
        "tiff bomb 100k x 100k": (_tiff_claiming(100_000, 100_000), ImageTooLargeError, ""),
        "tiff 9000 x 9000": (_tiff_claiming(9000, 9000), ImageTooLargeError, "max_pixels"),
        "webp bomb 16k x 16k": (_webp_claiming(16_000, 16_000), ImageTooLargeError, ""),
        "1x1 image": (tiny, ImageTooSmallError, "min_side_px"),
        "encrypted pdf": (encrypted.getvalue(), PdfError, "encrypted"),
        "corrupt pdf": (b"%PDF-1.7\n" + bytes(range(256)) * 8, PdfError, "cannot be read"),
        "truncated pdf": (_truncated(pdf), PdfError, ""),
        "pdf page too large": (huge_page, ImageTooLargeError, "PDF page 1"),
    }


BAD = [
    "zero bytes",
    "text",
    "random bytes",
    "gif",
    "truncated png",
    "png header only",
    "truncated jpeg",
    "truncated tiff",
    "truncated bmp",
    "truncated webp",
    "png bomb 100k x 100k",
    "png 9000 x 9000",
    "jpeg bomb 60k x 60k",
    "bmp bomb 50k x 50k",
    "tiff bomb 100k x 100k",
    "tiff 9000 x 9000",
    "webp bomb 16k x 16k",
    "1x1 image",
    "encrypted pdf",
    "corrupt pdf",
    "truncated pdf",
    "pdf page too large",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_gives_a_specific_error_fast(case, grey, pil_encode, pdf_of, png_claiming):
    data, error, message = _bad_inputs(grey, pil_encode, pdf_of, png_claiming)[case]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    t0 = time.perf_counter()
    with pytest.raises(error, match=message or None) as info:
        decode_plan(data, DetectorConfig())
    elapsed = time.perf_counter() - t0
    grew_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert isinstance(info.value, InvalidPlanError)
    assert str(info.value)  # a message a person can act on
    assert elapsed < 1.0, f"{case} took {elapsed:.2f} s"
    assert grew_mib < 64, f"{case} raised the peak memory by {grew_mib:.0f} MiB"


def test_pixel_limit_is_configurable(grey, pil_encode):
    data = pil_encode(Image.fromarray(grey), "PNG")
    with pytest.raises(ImageTooLargeError, match="max_pixels"):
        decode_plan(data, DetectorConfig(max_pixels=W * H - 1))
    assert decode_plan(data, DetectorConfig(max_pixels=W * H)).pages[0].shape == (H, W)
    with pytest.raises(ImageTooSmallError):
        decode_plan(data, DetectorConfig(min_side_px=H + 1))


def test_pdf_page_count_is_refused_before_rendering(grey, pdf_of):
    data = pdf_of([grey] * 3)
    with pytest.raises(ImageTooLargeError, match="3 pages"):
        decode_plan(data, DetectorConfig(max_pages=2))


def test_exif_orientation_is_applied(grey, pil_encode, config):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    data = pil_encode(Image.fromarray(grey), "JPEG", exif=exif.tobytes(), quality=95)
    [page] = decode_plan(data, config).pages
    assert page.shape == (W, H)  # as displayed: portrait
    expected = np.rot90(grey, k=-1)
    assert np.abs(page.astype(int) - expected).mean() < 8


def test_bytes_like_input(grey, pil_encode, config):
    data = pil_encode(Image.fromarray(grey), "PNG")
    for view in (bytearray(data), memoryview(data)):
        assert decode_plan(view, config).pages[0].shape == (H, W)
    with pytest.raises(EmptyInputError):
        decode_plan(bytearray(), config)


def test_vector_pdf_is_rendered_at_the_dpi_right_way_up(make_vector_pdf):
    # US letter (8.5 x 11 in); a 1 x 2 inch block whose lower-left corner is 1 in from the
    # left and 2 in from the bottom of the page (PDF y goes up)
    data = make_vector_pdf([[(72, 144, 72, 144)], []])
    plan = decode_plan(data, DetectorConfig(pdf_dpi=100))
    assert [p.shape for p in plan.pages] == [(1100, 850), (1100, 850)]
    page, blank = plan.pages
    ys, xs = np.nonzero(page < 128)
    # in the image (y down): x 100..200, y from 1100 - 400 = 700 to 1100 - 200 = 900
    assert abs(xs.min() - 100) <= 1 and abs(xs.max() - 199) <= 1
    assert abs(ys.min() - 700) <= 1 and abs(ys.max() - 899) <= 1
    assert blank.min() == 255  # a blank page is a valid page
