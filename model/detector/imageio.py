"""Bytes in, page images out: sniffing, safety limits and decoding of every input format.

PLACEHOLDER: minimal version so the rest of the package runs; to be hardened (formats,
bombs, PDFs, 16-bit, palette) by the detector I/O work.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .config import DetectorConfig
from .errors import CorruptImageError, EmptyInputError


@dataclass(frozen=True)
class DecodedPlan:
    content_type: str
    pages: list[np.ndarray]  # each HxW uint8 grey or HxWx3 uint8 BGR, original resolution


def decode_plan(
    data: bytes, config: DetectorConfig, content_type: str | None = None
) -> DecodedPlan:
    """Decode a plan's bytes into its pages; raises an `InvalidPlanError` subclass."""
    if not data:
        raise EmptyInputError("the plan is empty (0 bytes)")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise CorruptImageError("could not decode the image")
    return DecodedPlan(content_type or "application/octet-stream", [img])
