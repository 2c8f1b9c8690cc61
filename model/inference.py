"""SageMaker inference handlers for the room detector (the sagemaker-inference toolkit contract).

`model_fn(model_dir)` loads the detector once per worker; then, per request,
`input_fn(body, content_type)` decodes the plan, `predict_fn(data, model)` finds its rooms and
`output_fn(prediction, accept)` serialises the results document. The toolkit's model server
could call these as they are; `serving/` (gunicorn) calls them the same way.

The data between `input_fn` and `predict_fn` is `{"image": first page, "metadata": {...}}`, plus
`"pages"` (every page) when a PDF has more than one. A prediction is the results document of
`detector/schema/results.schema.json` plus a convenience `"rooms"` list (the rooms of every page,
in page order) that `output_fn` leaves out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import logging
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from detector import closets, room_types
from detector.allocator import keep_freed_memory
from detector.config import DetectorConfig, load_config
from detector.errors import InvalidPlanError
from detector.imageio import decode_plan
from detector.opencv_detector import OpenCVDetector
from detector.results import SCHEMA_PATH, SchemaValidationError, Source
from detector.text import ocr

log = logging.getLogger("inference")

JSON_CONTENT_TYPE = "application/json"
CONFIG_FILE_NAME = "config.json"
DEFAULT_PLAN_NAME = "plan"

# Declared content type -> the type handed to the decoder. None means "sniff the bytes": the
# generic types say nothing about the format (S3 labels many uploads binary/octet-stream).
IMAGE_CONTENT_TYPES: dict[str, str | None] = {
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/tiff": "image/tiff",
    "image/webp": "image/webp",
    "image/bmp": "image/bmp",
    "image/x-ms-bmp": "image/bmp",
    "application/pdf": "application/pdf",
    "application/x-image": None,
    "application/octet-stream": None,
    "binary/octet-stream": None,
}
SUPPORTED_CONTENT_TYPES = (*IMAGE_CONTENT_TYPES, JSON_CONTENT_TYPE)
ACCEPTED_RESPONSE_TYPES = frozenset({"", "*/*", "application/*", JSON_CONTENT_TYPE})


class UnsupportedContentTypeError(InvalidPlanError):
    """The request's Content-Type is not one we read (HTTP 415)."""


class UnsupportedAcceptError(InvalidPlanError):
    """The client asked for a response type other than JSON (HTTP 406)."""


class InvalidRequestError(InvalidPlanError):
    """The request itself is malformed, e.g. JSON without a base64 `image` (HTTP 400)."""


# The decoder needs the model's config (size limits, PDF DPI) but input_fn only gets the body:
# model_fn records it here, once per process.
_decode_config: DetectorConfig | None = None


def model_fn(model_dir: str | os.PathLike[str]) -> OpenCVDetector:
    """Build the detector from `model_dir/config.json` (the shipped defaults when absent).

    An invalid config raises `detector.errors.ConfigError` naming the key: the worker must not
    start, so SageMaker never sees a healthy /ping from a half-configured model.
    """
    global _decode_config
    path = Path(model_dir) / CONFIG_FILE_NAME
    if path.exists():  # a directory or unreadable file there is an error, not "the defaults"
        config = load_config(path)
        log.info("detector config loaded from %s", path)
    else:
        config = load_config(None)
        log.warning("no %s in %s: using the shipped defaults", CONFIG_FILE_NAME, model_dir)
    detector = OpenCVDetector(config)
    _decode_config = config
    keep_freed_memory()  # arrays reused across requests: see detector.allocator
    return detector


def warm_up(model: OpenCVDetector | None = None, *, before_fork: bool = False) -> None:
    """Run a tiny PNG and a tiny PDF through decode, detect and output: loads everything lazy.

    The server calls this in its master process before forking (`before_fork`), so workers
    share the loaded modules (decoders, pdfium, the schema validator) and need no file access
    to import them later (they may run as another user). A broken install, say pdfium missing,
    fails here at start rather than on the first PDF. ONNX Runtime is the exception: it starts
    a thread at load, and a worker forked after that hangs in its exit handlers (a condition
    variable whose waiter stayed in the master), so every SIGTERM took the whole graceful
    timeout. Before the fork only the recogniser's file is checked; each worker loads it in
    its own warm-up.
    """
    import cv2
    from PIL import Image

    # Permissive limits: this exercises the code paths, not the model's thresholds.
    config = DetectorConfig(min_side_px=1, read_text=not before_fork)
    if before_fork:
        ocr.model_path()  # raises OcrUnavailableError when the OCR package is missing
    # the forests (a toy page has no closet candidates, so detecting it would not read them)
    closets.load_model()
    room_types.load_model()
    page = np.full((256, 256), 255, np.uint8)
    cv2.rectangle(page, (32, 32), (224, 224), 0, 8)  # one walled room
    ok, png = cv2.imencode(".png", page)
    if not ok:
        raise RuntimeError("OpenCV cannot encode a PNG")
    pdf = io.BytesIO()
    Image.fromarray(page).save(pdf, "PDF")  # the same page as a PDF, by Pillow's writer
    decode_plan(pdf.getvalue(), config, "application/pdf")
    plan = decode_plan(png.tobytes(), config, "image/png")
    _schema_validator()
    try:
        prediction = predict_fn(
            {"image": plan.pages[0], "metadata": {}}, model or OpenCVDetector(config)
        )
        output_fn(prediction, JSON_CONTENT_TYPE)
    except InvalidPlanError as err:  # a detector may find a toy page unreadable: not a failure
        log.info("warm-up page refused by the detector: %s", err)


def model_warmup_fn(model_dir: str | os.PathLike[str], model: OpenCVDetector) -> None:
    """The toolkit's warm-up hook: one tiny request, so the first real one pays no set-up."""
    del model_dir
    warm_up(model)


def normalise_content_type(content_type: str | None) -> str:
    """`"Image/PNG; q=1"` -> `"image/png"`; absent -> `application/octet-stream` (sniff)."""
    if not content_type:
        return "application/octet-stream"
    return content_type.split(";", 1)[0].strip().lower()


def check_content_type(content_type: str | None) -> str:
    """The normalised content type, or `UnsupportedContentTypeError` naming the accepted ones."""
    ctype = normalise_content_type(content_type)
    if ctype not in SUPPORTED_CONTENT_TYPES:
        raise UnsupportedContentTypeError(
            f"unsupported content type '{ctype}'; send one of: {', '.join(SUPPORTED_CONTENT_TYPES)}"
        )
    return ctype


def check_accept(accept: str | None) -> None:
    """Raise `UnsupportedAcceptError` unless the client accepts JSON."""
    wanted = [a.split(";", 1)[0].strip().lower() for a in (accept or "").split(",")]
    if not any(a in ACCEPTED_RESPONSE_TYPES for a in wanted):
        raise UnsupportedAcceptError(
            f"unsupported Accept '{accept}'; this model answers {JSON_CONTENT_TYPE} only"
        )


def _as_bytes(input_data: Any) -> bytes:
    if isinstance(input_data, bytes):
        return input_data
    if isinstance(input_data, bytearray | memoryview):
        return bytes(input_data)
    if isinstance(input_data, str):  # the toolkit hands UTF-8 types (JSON) over as text
        return input_data.encode("utf-8")
    raise InvalidRequestError(f"unexpected request body of type {type(input_data).__name__}")


def _unwrap_json(body: bytes) -> tuple[bytes, str, dict[str, str]]:
    """`{"image": base64, "content_type"?, "name"?, "uri"?}` -> (image bytes, type, names)."""
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidRequestError(f"the JSON request body is not valid JSON: {err}") from err
    except RecursionError as err:  # the client's nesting, not our bug: final, not retried
        raise InvalidRequestError("the JSON request body is nested too deeply") from err
    if not isinstance(doc, dict) or not isinstance(doc.get("image"), str):
        raise InvalidRequestError(
            'a JSON request must be an object with the plan as a base64 string in "image"'
        )
    encoded = doc["image"]
    if encoded.startswith("data:") and "," in encoded:  # a data: URL
        encoded = encoded.split(",", 1)[1]
    try:
        image = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as err:
        raise InvalidRequestError(f'"image" is not valid base64: {err}') from err
    declared = doc.get("content_type")
    ctype = check_content_type(declared if isinstance(declared, str) else None)
    if ctype == JSON_CONTENT_TYPE:
        raise UnsupportedContentTypeError('"content_type" of the image cannot be JSON')
    names = {k: doc[k] for k in ("name", "uri") if isinstance(doc.get(k), str) and doc[k]}
    return image, ctype, names


@cache
def _shipped_config() -> DetectorConfig:
    return load_config(None)


def input_fn(input_data: bytes | str, content_type: str | None) -> dict[str, Any]:
    """Decode a request body into `{"image", "metadata"[, "pages"]}`.

    Raises `UnsupportedContentTypeError` (415) or another `InvalidPlanError` (400) for input
    that is not a plan we can read.
    """
    t0 = time.perf_counter()
    body = _as_bytes(input_data)
    ctype = check_content_type(content_type)
    names: dict[str, str] = {}
    if ctype == JSON_CONTENT_TYPE:
        body, ctype, names = _unwrap_json(body)
    config = _decode_config or _shipped_config()
    # decode_plan serialises pdfium itself (it is not thread-safe), so threads may call it.
    # Grey: the detector reads grey, and a colour page costs three times the memory.
    plan = decode_plan(body, config, IMAGE_CONTENT_TYPES[ctype], grey=True)
    if not plan.pages:
        raise InvalidRequestError("the plan has no pages")
    metadata: dict[str, Any] = {
        "content_type": plan.content_type,
        "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "decode_ms": (time.perf_counter() - t0) * 1e3,
        **names,
    }
    data: dict[str, Any] = {"image": plan.pages[0], "metadata": metadata}
    if len(plan.pages) > 1:
        data["pages"] = list(plan.pages)
    if plan.content_type == "application/pdf":
        data["pdf"] = body  # its text layer is read directly (detector.text.pdf_text)
    return data


def predict_fn(data: dict[str, Any], model: OpenCVDetector) -> dict[str, Any]:
    """Find the rooms of every page: the results document plus a flat `"rooms"` list."""
    pages = data.get("pages") or ([data["image"]] if data.get("image") is not None else [])
    if not pages:
        raise InvalidRequestError('predict_fn needs an "image" (or "pages") to work on')
    metadata: dict[str, Any] = data.get("metadata") or {}
    source = Source(
        name=metadata.get("name") or DEFAULT_PLAN_NAME,
        uri=metadata.get("uri"),
        content_type=metadata.get("content_type"),
        bytes=metadata.get("bytes"),
        sha256=metadata.get("sha256"),
    )
    decode_ms = float(metadata.get("decode_ms", 0.0))
    prediction = model.document(
        [np.asarray(p) for p in pages], source, decode_ms=decode_ms, pdf=data.get("pdf")
    )
    prediction["rooms"] = [room for page in prediction["pages"] for room in page["rooms"]]
    return prediction


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@cache
def _schema_validator() -> Any:
    import jsonschema_rs

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def validate_fast(document: dict[str, Any]) -> None:
    """`detector.results.validate_document`, against the same schema file, ~100x faster.

    The pure-Python validator costs ~3 ms per R3D plan, a tenth of the detection itself; the
    compiled one (a full Draft 2020-12 implementation) costs microseconds. Same error type.
    """
    import jsonschema_rs

    try:
        _schema_validator().validate(document)
    except jsonschema_rs.ValidationError as err:
        where = "$" + "".join(f"[{p!r}]" for p in err.instance_path)
        raise SchemaValidationError(f"{where}: {err.message}") from err


def output_fn(prediction: dict[str, Any], accept: str | None) -> tuple[bytes, str]:
    """The results document as JSON bytes (validated against the schema), and its type."""
    check_accept(accept)
    document = {k: v for k, v in prediction.items() if k != "rooms"}
    validate_fast(document)
    body = json.dumps(document, separators=(",", ":"), default=_json_default).encode("utf-8")
    return body, JSON_CONTENT_TYPE
