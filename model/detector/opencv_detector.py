"""`OpenCVDetector`: finds the rooms of a floor plan with classical image processing.

PLACEHOLDER algorithm (threshold -> contours) so the package runs end to end; the real
stages replace `detect_rooms`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from . import __version__
from .config import DetectorConfig, load_config
from .imageio import decode_plan
from .results import Page, Room, Source, success_document


class OpenCVDetector:
    """Floor plan in, rooms out. Stateless after construction, so safe to share across threads."""

    name = "opencv-room-detector"
    version = __version__

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()

    @classmethod
    def from_config_file(cls, path: str | Path | None = None) -> OpenCVDetector:
        return cls(load_config(path))

    def detect_rooms(self, image: np.ndarray) -> list[Room]:
        """Rooms of one page image (any channels/depth), in that image's pixel coordinates."""
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        h, w = gray.shape
        page_area = float(h * w)
        _, free = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        contours, _ = cv2.findContours(free, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        rooms: list[Room] = []
        for c in contours:
            area = float(cv2.contourArea(c))
            if not (self.config.min_area <= area / page_area <= self.config.max_area):
                continue
            eps = self.config.epsilon_factor * cv2.arcLength(c, True)
            poly = cv2.approxPolyDP(c, eps, True).reshape(-1, 2)
            if len(poly) < 3:
                continue
            x, y, bw, bh = cv2.boundingRect(poly)
            m = cv2.moments(poly)
            cx, cy = (m["m10"] / m["m00"], m["m01"] / m["m00"]) if m["m00"] else (x, y)
            rooms.append(
                Room(
                    id=f"room-{len(rooms) + 1:03d}",
                    polygon=poly.astype(float).tolist(),
                    bbox=[float(x), float(y), float(bw), float(bh)],
                    area_px=area,
                    area_fraction=area / page_area,
                    centroid=[float(cx), float(cy)],
                    perimeter_px=float(cv2.arcLength(poly, True)),
                    confidence=0.5,
                )
            )
        return rooms

    def detect_pages(self, pages: list[np.ndarray]) -> list[Page]:
        return [
            Page(index=i, width=p.shape[1], height=p.shape[0], rooms=self.detect_rooms(p))
            for i, p in enumerate(pages)
        ]

    def process(
        self,
        data: bytes,
        *,
        name: str,
        uri: str | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """Decode a plan's bytes and detect its rooms: the results document.

        Raises an `InvalidPlanError` subclass for input that cannot be read.
        """
        t0 = time.perf_counter()
        plan = decode_plan(data, self.config, content_type)
        t1 = time.perf_counter()
        pages = self.detect_pages(plan.pages)
        t2 = time.perf_counter()
        return success_document(
            source=Source.from_bytes(data, name, uri, plan.content_type),
            pages=pages,
            detector_name=self.name,
            detector_version=self.version,
            config=self.config.model_dump(),
            timings_ms={
                "decode": (t1 - t0) * 1e3,
                "detect": (t2 - t1) * 1e3,
                "total": (t2 - t0) * 1e3,
            },
        )
