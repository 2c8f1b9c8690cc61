"""The results document: built here, validated against `schema/results.schema.json`.

This module is the one definition of what the CLI writes, the container returns and the
pipeline's callbacks normalise. It needs only the standard library and `jsonschema`, so the
Lambdas can carry it without OpenCV.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

# 1.1 adds, per room, the name, type, stated dimensions and real areas, and per page the
# scale and the text read; every 1.1 field is optional, so 1.0 documents stay valid.
SCHEMA_VERSION = "1.1"
# The room types a room's `type` takes (the schema's enum is checked against this list).
ROOM_TYPES = (
    "bedroom",
    "bathroom",
    "kitchen",
    "living",
    "dining",
    "hall",
    "closet",
    "balcony",
    "utility",
    "office",
    "garage",
    "other",
)
# `error.type` of the model server's own failures (HTTP 500): a bug for that input, not the
# plan's fault (the pipeline retries it a few times, then fails it for a redrive after a fix).
INTERNAL_ERROR = "InternalError"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "results.schema.json"


class SchemaValidationError(ValueError):
    """A document does not match the results schema (the message gives the JSON path)."""


@dataclass(frozen=True)
class Room:
    """One detected room, in pixel coordinates of the original page."""

    id: str
    polygon: list[list[float]]
    bbox: list[float]  # [x, y, width, height]
    area_px: float
    area_fraction: float
    centroid: list[float]
    perimeter_px: float
    confidence: float
    label: str | None = None  # the room's name as written on the plan
    type: str | None = None  # one of `ROOM_TYPES`
    dimensions: dict[str, Any] | None = None  # {"text", "sides_m", "system"}
    area_m2: float | None = None  # only when the page's scale is known
    area_ft2: float | None = None


@dataclass(frozen=True)
class Page:
    index: int
    width: int
    height: int
    rooms: list[Room] = field(default_factory=list)
    scale: dict[str, Any] | None = None  # px_per_m, method, confidence, samples, outliers
    text: list[dict[str, Any]] = field(default_factory=list)  # the words read on the page


@dataclass(frozen=True)
class Source:
    """Where a plan came from and what it was (hash and size identify it exactly)."""

    name: str
    uri: str | None = None
    content_type: str | None = None
    bytes: int | None = None
    sha256: str | None = None

    @classmethod
    def from_bytes(
        cls, data: bytes, name: str, uri: str | None = None, content_type: str | None = None
    ) -> Source:
        return cls(
            name=name,
            uri=uri,
            content_type=content_type,
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _detector_block(name: str, version: str, config: dict[str, Any] | None) -> dict[str, Any]:
    block: dict[str, Any] = {"name": name, "version": version}
    if config is not None:
        block["config"] = config
    return block


def success_document(
    *,
    source: Source,
    pages: list[Page],
    detector_name: str,
    detector_version: str,
    config: dict[str, Any] | None = None,
    timings_ms: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The document for a plan that was read: every page with its rooms."""
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "status": "succeeded",
        "source": source.to_dict(),
        "detector": _detector_block(detector_name, detector_version, config),
        "pages": [asdict(p) for p in pages],
        "room_count": sum(len(p.rooms) for p in pages),
    }
    if timings_ms is not None:
        doc["timings_ms"] = {k: round(float(v), 3) for k, v in timings_ms.items()}
    return doc


def failure_document(
    *,
    source: Source,
    error_type: str,
    message: str,
    retryable: bool,
    detector_name: str,
    detector_version: str,
    config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The document for a plan that could not be read, saying why."""
    return {
        "schema_version": SCHEMA_VERSION,
        "status": "failed",
        "source": source.to_dict(),
        "detector": _detector_block(detector_name, detector_version, config),
        "error": {"type": error_type, "message": message, "retryable": retryable},
    }


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_document(doc: Any) -> None:
    """Raise `SchemaValidationError` unless `doc` is a valid results document."""
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "$" + "".join(f"[{p!r}]" for p in e.absolute_path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise SchemaValidationError(f"{where}: {e.message}{more}")
