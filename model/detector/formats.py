"""The plan formats the detector reads: their magic bytes, MIME types and file suffixes.

Pure standard library, so the Lambdas ship this same module to check uploads before they
start an inference (one definition of "a format we read").
"""

from __future__ import annotations

# MIME type of each format we read.
CONTENT_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
# File suffix -> MIME type (what the CLI expands folders to; a hint when bytes are not at hand).
SUFFIX_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".bmp": "image/bmp",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
SUPPORTED_SUFFIXES = frozenset(SUFFIX_CONTENT_TYPES)
# Bytes enough for every check in `sniff_format`.
SNIFF_BYTES = 1024


def sniff_format(data: bytes) -> str | None:
    """The format key ('png', 'jpeg', ...) from the magic bytes, or None if not one we read."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if data.startswith(b"BM") and len(data) >= 26:
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    # The PDF header may follow some junk, within the first KiB (PDF 32000-1, 7.5.2 note).
    if b"%PDF-" in data[:SNIFF_BYTES]:
        return "pdf"
    return None


def sniff_content_type(data: bytes) -> str | None:
    """The MIME type from the magic bytes, or None if not a format we read."""
    fmt = sniff_format(data)
    return CONTENT_TYPES[fmt] if fmt else None
