"""PDFs written by hand for the tests and benchmarks: pages of drawing operators, exact bytes.

A vector page (rectangles, strokes, text objects) is what a CAD export looks like, and a
hostile one (too many strokes, no pages at all) is what no PDF writer would make; both are a
few objects and a cross-reference table, so they are written here directly.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Mapping, Sequence

LETTER_PT = (612, 792)


def pdf_file(objects: Sequence[bytes]) -> bytes:
    """A PDF of `objects`, numbered from 1 in order (object 1 is the catalog), with its xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_document(
    *contents: bytes,
    size_pt: tuple[float, float] = LETTER_PT,
    fonts: Mapping[str, str] | None = None,
) -> bytes:
    """A PDF with one page of `size_pt` points per content stream (drawing operators).

    `fonts` maps a resource name the streams use (``F1``) to one of the standard 14 fonts
    (``Helvetica``), which a reader has without any font data in the file.
    """
    n = len(contents)
    fonts = dict(fonts or {})
    first_font = 3 + 2 * n
    font_refs = b" ".join(
        b"/%s %d 0 R" % (name.encode(), first_font + i) for i, name in enumerate(fonts)
    )
    resources = b"<< /Font << %s >> >>" % font_refs if fonts else b"<< >>"
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
    ]
    width, height = size_pt
    for i, ops in enumerate(contents):
        stream = zlib.compress(ops)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources %s >>"
            % (_num(width), _num(height), 4 + 2 * i, resources)
        )
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
    objects += [
        b"<< /Type /Font /Subtype /Type1 /BaseFont /%s >>" % base.encode()
        for base in fonts.values()
    ]
    return pdf_file(objects)


def filled_rectangles(rects: Iterable[tuple[float, float, float, float]]) -> bytes:
    """Operators filling black rectangles (x, y, w, h) in points, y up from the bottom left."""
    return b"0 0 0 rg\n" + b"".join(
        b"%s %s %s %s re f\n" % tuple(_num(v) for v in rect) for rect in rects
    )


def random_lines(n: int, seed: int = 1, size_pt: tuple[int, int] = LETTER_PT) -> bytes:
    """`n` long strokes across a page: cheap to write, slow to rasterise."""
    rng = random.Random(seed)
    width, height = size_pt
    return b"".join(
        b"%d %d m %d %d l S\n"
        % (rng.randrange(width), rng.randrange(height), rng.randrange(width), rng.randrange(height))
        for _ in range(n)
    )


def _num(value: float) -> bytes:
    """A PDF number: integers as such, others with two decimals (a hundredth of a point)."""
    return b"%d" % value if float(value).is_integer() else b"%.2f" % value
