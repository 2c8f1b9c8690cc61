"""A PDF's text layer: its text objects, where they are on the rendered page, and the drawing
scale it prints ("1:100"), read exactly and without OCR."""

from __future__ import annotations

import logging
import re
from typing import Any

from .dimensions import parse_stated_scale
from .reading import Word
from .scale import scale_from_stated

log = logging.getLogger(__name__)

NOT_TO_SCALE = re.compile(r"not\s+to\s+scale|n\.?t\.?s\.?\b", re.IGNORECASE)


def pdf_page_text(data: bytes, shapes: list[tuple[int, ...]]) -> list[dict[str, Any]]:
    """For each rendered page (its HxW `shapes`), `read_page_text`'s keyword arguments: the
    page's `words` in page pixels and, when it prints a 1:N and no "not to scale", its
    `scale`. A page without a text layer (a scan) gets none, so it is read by OCR."""
    import pypdfium2 as pdfium

    from ..imageio import _PDFIUM_LOCK

    out: list[dict[str, Any]] = [{} for _ in shapes]
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as err:  # decoding succeeded, so this is not expected
            log.warning("PDF text layer not read: %s", err)
            return out
        try:
            for i, shape in enumerate(shapes[: len(doc)]):
                page = doc[i]
                try:
                    out[i] = _page_words(page, shape)
                finally:
                    page.close()
        finally:
            doc.close()
    return out


def _page_words(page: Any, shape: tuple[int, ...]) -> dict[str, Any]:
    w_pt, h_pt = page.get_size()
    if w_pt <= 0 or h_pt <= 0:
        return {}
    px_per_pt = shape[1] / w_pt
    textpage = page.get_textpage()
    try:
        words = []
        for k in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(k)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if not text:
                continue
            box = (
                left * px_per_pt,
                (h_pt - top) * px_per_pt,
                (right - left) * px_per_pt,
                (top - bottom) * px_per_pt,
            )
            words.append(Word(text, box, 1.0))
        everything = textpage.get_text_range()
    finally:
        textpage.close()
    if not words:
        return {}
    layer: dict[str, Any] = {"words": words}
    n = parse_stated_scale(everything)
    if n is not None and not NOT_TO_SCALE.search(everything):
        layer["scale"] = scale_from_stated(n, px_per_pt, f"1:{n}")
    return layer
