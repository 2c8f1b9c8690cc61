"""The results document: what the detector and the CLI write validates; bad documents do not."""

from __future__ import annotations

import copy
import hashlib
import json

import cv2
import pytest

from detector.errors import EmptyInputError
from detector.opencv_detector import OpenCVDetector
from detector.results import (
    SCHEMA_PATH,
    SCHEMA_VERSION,
    Page,
    Room,
    SchemaValidationError,
    Source,
    failure_document,
    success_document,
    validate_document,
)


@pytest.fixture(scope="module")
def detected(small_plan) -> dict:
    _, png = cv2.imencode(".png", small_plan.image)
    return OpenCVDetector().process(png.tobytes(), name="plan.png", uri="s3://b/blueprints/p.png")


def test_schema_version_is_one_truth():
    # the newest version the schema accepts is the one documents are written with
    versions = json.loads(SCHEMA_PATH.read_text())["properties"]["schema_version"]["enum"]
    assert versions[-1] == SCHEMA_VERSION == "1.1"


def test_schema_1_0_documents_stay_valid(detected):
    """1.1 only adds optional fields: a 1.0 document (none of them) still validates."""
    doc = copy.deepcopy(detected)
    doc["schema_version"] = "1.0"
    for page in doc["pages"]:
        page.pop("scale", None)
        page.pop("text", None)
        for room in page["rooms"]:
            for key in ("type", "dimensions", "area_m2", "area_ft2"):
                room.pop(key, None)
    validate_document(doc)


def test_schema_1_1_fields_validate(detected):
    page = detected["pages"][0]
    assert {"scale", "text"} <= set(page)
    assert {"label", "type", "dimensions", "area_m2", "area_ft2"} <= set(page["rooms"][0])
    for bad, where in (
        (lambda r: r.update(type="parlour"), "type"),
        (lambda r: r.update(area_m2=-1), "area_m2"),
        (lambda r: r.update(dimensions={"text": "3 x 2", "sides_m": [3]}), "sides_m"),
    ):
        doc = copy.deepcopy(detected)
        bad(doc["pages"][0]["rooms"][0])
        with pytest.raises(SchemaValidationError, match=where):
            validate_document(doc)
    doc = copy.deepcopy(detected)
    doc["pages"][0]["scale"] = {"px_per_m": 10, "method": "guess", "confidence": 1}
    with pytest.raises(SchemaValidationError, match="method"):
        validate_document(doc)


def test_detector_document_validates(detected, small_plan):
    validate_document(detected)
    assert detected["status"] == "succeeded"
    assert detected["room_count"] == sum(len(p["rooms"]) for p in detected["pages"])
    page = detected["pages"][0]
    assert (page["height"], page["width"]) == small_plan.image.shape
    assert {"decode", "detect", "total"} <= set(detected["timings_ms"])
    json.dumps(detected)  # plain JSON types only


def test_failure_document_validates():
    data = b"\x00\x01"
    doc = failure_document(
        source=Source.from_bytes(data, "x.png", "s3://b/blueprints/x.png", "image/png"),
        error_type=EmptyInputError.__name__,
        message="the plan is empty (0 bytes)",
        retryable=False,
        detector_name=OpenCVDetector.name,
        detector_version=OpenCVDetector.version,
    )
    validate_document(doc)
    assert doc["source"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert doc["source"]["bytes"] == 2


def test_empty_success_document_validates():
    doc = success_document(
        source=Source(name="blank.png"),
        pages=[Page(index=0, width=800, height=600, rooms=[])],
        detector_name="d",
        detector_version="1",
    )
    validate_document(doc)
    assert doc["room_count"] == 0


def _room(**kw) -> Room:
    base = dict(
        id="room-001",
        polygon=[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]],
        bbox=[0.0, 0.0, 10.0, 10.0],
        area_px=50.0,
        area_fraction=0.01,
        centroid=[3.3, 3.3],
        perimeter_px=34.1,
        confidence=0.8,
    )
    base.update(kw)
    return Room(**base)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.pop("status"), "status"),
        (lambda d: d.update(schema_version="0.9"), "schema_version"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["pages"][0]["rooms"][0].update(confidence=1.5), "confidence"),
        (lambda d: d["pages"][0]["rooms"][0].update(polygon=[[0, 0], [1, 1]]), "polygon"),
        (lambda d: d["pages"][0]["rooms"][0].update(area_fraction=2), "area_fraction"),
        (lambda d: d["source"].update(sha256="xyz"), "sha256"),
        (lambda d: d.update(error={"type": "X", "message": "m"}), "error"),
        (lambda d: d.pop("pages"), "pages"),
    ],
)
def test_invalid_documents_are_rejected_naming_the_place(mutate, where):
    doc = success_document(
        source=Source(name="p.png"),
        pages=[Page(index=0, width=100, height=100, rooms=[_room()])],
        detector_name="d",
        detector_version="1",
    )
    validate_document(doc)
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(SchemaValidationError) as info:
        validate_document(bad)
    assert where in str(info.value)


def test_failed_document_needs_an_error():
    doc = failure_document(
        source=Source(name="p.png"),
        error_type="X",
        message="m",
        retryable=True,
        detector_name="d",
        detector_version="1",
    )
    del doc["error"]
    with pytest.raises(SchemaValidationError):
        validate_document(doc)
