"""Final results documents: normalise what the endpoint returned, or say why there is none.

Both kinds are the results schema of `detector.results` (shipped in each zip), validated before
they are written, with the pipeline's `source` (the plan's S3 URI) and `inference` blocks.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from detector import __version__ as detector_version
from detector.results import Source, failure_document, validate_document

from .naming import PlanRef
from .status import iso

# Who "ran" when the pipeline itself rejects a plan: the detector the endpoint serves
# (`detector.opencv_detector.OpenCVDetector.name`, which the Lambdas cannot import without
# OpenCV; a test keeps the two equal).
DETECTOR_NAME = "opencv-room-detector"


@dataclass(frozen=True)
class InferenceInfo:
    """The `inference` block: which async inference produced the document, and when."""

    inference_id: str | None = None
    endpoint: str | None = None
    output_location: str | None = None
    attempts: int | None = None
    uploaded_at: datetime | None = None
    submitted_at: datetime | None = None
    received_at: datetime | None = None  # SageMaker's receivedTime
    finished_at: datetime | None = None  # SageMaker's eventTime
    completed_at: datetime | None = None  # when this document was written

    def timings_s(self) -> dict[str, float]:
        """queued (upload -> SageMaker received it), processing, end_to_end (upload -> now)."""

        def span(start: datetime | None, end: datetime | None) -> float | None:
            if start is None or end is None:
                return None
            return round(max(0.0, (end - start).total_seconds()), 3)

        spans = {
            "queued": span(self.uploaded_at, self.received_at),
            "processing": span(self.received_at, self.finished_at),
            "end_to_end": span(self.uploaded_at, self.completed_at),
        }
        return {k: v for k, v in spans.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        block: dict[str, Any] = {}
        for name in ("inference_id", "endpoint", "output_location", "attempts"):
            value = getattr(self, name)
            if value is not None:
                block[name] = value
        if self.submitted_at is not None:
            block["submitted_at"] = iso(self.submitted_at)
        if self.completed_at is not None:
            block["completed_at"] = iso(self.completed_at)
        timings = self.timings_s()
        if timings:
            block["timings_s"] = timings
        return block


def normalise(doc: dict[str, Any], plan: PlanRef, info: InferenceInfo) -> dict[str, Any]:
    """The endpoint's document with the plan's S3 source and the inference block added.

    `doc` must already be a valid results document; the result is validated again.
    """
    out = copy.deepcopy(doc)
    source = dict(out.get("source") or {})
    source["name"] = plan.name
    source["uri"] = plan.uri
    out["source"] = source
    out["inference"] = info.to_dict()
    validate_document(out)
    return out


def pipeline_failure(
    plan: PlanRef,
    *,
    error_type: str,
    message: str,
    retryable: bool,
    info: InferenceInfo | None = None,
    content_type: str | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """A failure document for a plan the endpoint did not (successfully) process."""
    doc = failure_document(
        source=Source(name=plan.name, uri=plan.uri, content_type=content_type, bytes=size),
        error_type=error_type,
        message=message,
        retryable=retryable,
        detector_name=DETECTOR_NAME,
        detector_version=detector_version,
    )
    if info is not None:
        doc["inference"] = info.to_dict()
    validate_document(doc)
    return doc


def dumps(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
