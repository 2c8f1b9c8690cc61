"""The plan formats the detector reads: their magic bytes, MIME types and file suffixes.

Pure standard library, so the Lambdas ship this same module to check uploads before they
start an inference: one definition of "a format we read", and one classification and message
for bytes that are not one (the trigger and the server give the same error for the same file).
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


# Every file whose bytes are not a format we read fails with this error type, whatever its name
# says: the bytes decide (the name of `detector.errors.UnsupportedFormatError`).
UNSUPPORTED_FORMAT_ERROR = "UnsupportedFormatError"
READABLE_FORMATS = "PNG, JPEG, TIFF, BMP, WebP or PDF"
# Formats we recognise but do not read, to say what a file is rather than "unknown".
_KNOWN_OTHERS = (
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"<svg", "an SVG image"),
    (b"<!doctype html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "XML"),
    (b"{", "JSON or text"),
)


def describe_unknown(head: bytes) -> str:
    """What bytes that are not a format we read look like: 'an HTML page', 'a GIF image', ..."""
    start = head[:64].lstrip().lower()
    for magic, what in _KNOWN_OTHERS:
        if start.startswith(magic.lower()):
            return what
    return f"unrecognised data (first bytes {head[:8]!r})"


def unsupported_format_message(
    head: bytes, name: str | None = None, content_type: str | None = None
) -> str:
    """The message for bytes that `sniff_format` does not know; `head` is their start.

    `name` (a file name or S3 key) and `content_type` are what the upload claims to be: said in
    the message, never deciding the error.
    """
    claims = []
    suffix = _suffix(name)
    if suffix:
        claims.append(f"named {suffix}")
    if content_type:
        claims.append(f"declared as {content_type}")
    claim = f" ({', '.join(claims)})" if claims else ""
    return f"not a {READABLE_FORMATS} file{claim}: the bytes are {describe_unknown(head)}"


def _suffix(name: str | None) -> str:
    base = (name or "").rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""
