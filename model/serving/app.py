"""The WSGI application SageMaker talks to: `GET /ping` and `POST /invocations`.

It is a thin HTTP layer over the handlers in `inference.py` (the sagemaker-inference toolkit
contract): read the body within the size cap, `input_fn` -> `predict_fn` -> `output_fn`, and map
errors to status codes. The client's mistakes are 4xx with a results document of status
"failed" naming the cause (for async inference that body is what lands in the failure path);
500 is only for our own bugs.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import inference
from detector.allocator import release_free_memory
from detector.errors import InvalidPlanError
from detector.opencv_detector import OpenCVDetector
from detector.results import INTERNAL_ERROR, Source, failure_document

from .settings import Settings

log = logging.getLogger("serving")

StartResponse = Callable[..., Any]
CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
_READ_CHUNK = 1024 * 1024
# After a plan with more pixels than this (the detector works at 4 MP at most), the worker hands
# the memory it used back to the OS; smaller plans keep it for the next one (detector.allocator).
HEAVY_PLAN_PIXELS = 8_000_000


class PayloadTooLargeError(InvalidPlanError):
    """The request body is larger than MODEL_SERVER_MAX_BODY_BYTES (HTTP 413)."""


# Most specific first: the first class the error is an instance of decides the status.
_STATUS_BY_ERROR: tuple[tuple[type[Exception], int], ...] = (
    (inference.UnsupportedContentTypeError, 415),
    (inference.UnsupportedAcceptError, 406),
    (PayloadTooLargeError, 413),
    (InvalidPlanError, 400),
)
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_for(err: Exception) -> int:
    """The HTTP status for an exception raised while serving a request."""
    for cls, status in _STATUS_BY_ERROR:
        if isinstance(err, cls):
            return status
    return 500


def parse_custom_attributes(header: str | None) -> dict[str, str]:
    """`name=plan%201.png;uri=s3://b/k` -> {"name": "plan 1.png", "uri": "s3://b/k"}.

    SageMaker forwards `CustomAttributes` of the invocation verbatim (visible ASCII only), so
    values are percent-encoded and pairs are separated by ';'. Unknown or malformed pairs are
    ignored: the attributes are a courtesy, never a reason to fail a plan.
    """
    attributes: dict[str, str] = {}
    for pair in (header or "").split(";"):
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if sep and key in {"name", "uri"} and value.strip():
            attributes[key] = unquote(value.strip())
    if "uri" in attributes and "name" not in attributes:
        attributes["name"] = attributes["uri"].rstrip("/").rsplit("/", 1)[-1]
    return attributes


@dataclass
class _Request:
    content_type: str | None
    accept: str | None
    attributes: dict[str, str]
    raw_attributes: str | None
    body: bytes = b""


class InferenceApp:
    """WSGI callable for one worker; holds that worker's loaded detector."""

    def __init__(self, settings: Settings, model: OpenCVDetector) -> None:
        self.settings = settings
        self.model = model

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/ping":
            if method not in {"GET", "HEAD"}:
                return self._json(start_response, 405, {"error": "use GET /ping"})
            # A worker only serves once model_fn succeeded, so reaching here means loaded.
            return self._json(start_response, 200, {"status": "healthy"})
        if path == "/invocations":
            if method != "POST":
                return self._json(start_response, 405, {"error": "use POST /invocations"})
            return self._invoke(environ, start_response)
        return self._json(start_response, 404, {"error": f"no route {path}"})

    # --- /invocations ---------------------------------------------------------------------

    def _invoke(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        t0 = time.perf_counter()
        raw_attributes = environ.get("HTTP_X_AMZN_SAGEMAKER_CUSTOM_ATTRIBUTES")
        req = _Request(
            content_type=environ.get("CONTENT_TYPE"),
            accept=environ.get("HTTP_ACCEPT"),
            attributes=parse_custom_attributes(raw_attributes),
            raw_attributes=raw_attributes,
        )
        rooms = None
        pixels = 0
        try:
            req.body = self._read_body(environ)
            inference.check_accept(req.accept)
            data = inference.input_fn(req.body, req.content_type)
            pixels = sum(p.size for p in data.get("pages") or [data["image"]])
            # Names from the custom attributes win over those inside a JSON body.
            data["metadata"].update(req.attributes)
            prediction = inference.predict_fn(data, self.model)
            rooms = prediction["room_count"]
            body, content_type = inference.output_fn(prediction, req.accept)
            status = 200
        except Exception as err:  # every failure becomes a response, never a dead worker
            status = status_for(err)
            if status == 500:
                log.exception("internal error while serving an invocation")
            body = self._failure_body(req, err, status)
            content_type = inference.JSON_CONTENT_TYPE
        finally:
            data = prediction = None  # the pages, before the heap is trimmed
            if pixels > HEAVY_PLAN_PIXELS:
                release_free_memory()
        log.info(
            "invocation status=%d content_type=%s bytes=%d rooms=%s name=%s ms=%.1f",
            status,
            inference.normalise_content_type(req.content_type),
            len(req.body),
            rooms,
            req.attributes.get("name", "-"),
            (time.perf_counter() - t0) * 1e3,
        )
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        if req.raw_attributes:  # returned verbatim so the caller can correlate
            headers.append((CUSTOM_ATTRIBUTES_HEADER, req.raw_attributes))
        start_response(f"{status} {_REASONS.get(status, '')}".strip(), headers)
        return [body]

    def _read_body(self, environ: dict[str, Any]) -> bytes:
        """The request body; a broken upload is the client's fault (400), not a bug of ours."""
        try:
            return self._read_capped(environ)
        except PayloadTooLargeError:
            raise
        except Exception as err:  # gunicorn's NoMoreData, InvalidChunkSize, ... (no common base)
            raise inference.InvalidRequestError(
                f"the request body could not be read: {type(err).__name__}: {err}"
            ) from err

    def _read_capped(self, environ: dict[str, Any]) -> bytes:
        """The request body, refusing (after draining it) one larger than the cap."""
        cap = self.settings.max_body_bytes
        stream = environ["wsgi.input"]
        length_header = environ.get("CONTENT_LENGTH") or ""
        length = int(length_header) if length_header.isdigit() else None
        if length is not None and length > cap:
            # Drain so the client, still sending, reads our 413 instead of a reset connection.
            while stream.read(_READ_CHUNK):
                pass
            raise PayloadTooLargeError(
                f"the request body is {length} bytes, over the {cap}-byte limit "
                "(MODEL_SERVER_MAX_BODY_BYTES)"
            )
        chunks: list[bytes] = []
        size = 0
        while True:  # without Content-Length (chunked) read until EOF, never past the cap
            chunk = stream.read(min(_READ_CHUNK, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > cap:
                while stream.read(_READ_CHUNK):
                    pass
                raise PayloadTooLargeError(
                    f"the request body is over the {cap}-byte limit (MODEL_SERVER_MAX_BODY_BYTES)"
                )
        return b"".join(chunks)

    def _failure_body(self, req: _Request, err: Exception, status: int) -> bytes:
        name = req.attributes.get("name") or inference.DEFAULT_PLAN_NAME
        message = str(err) if status != 500 else f"internal error: {type(err).__name__}: {err}"
        doc = failure_document(
            source=Source.from_bytes(
                req.body,
                name,
                req.attributes.get("uri"),
                inference.normalise_content_type(req.content_type),
            ),
            error_type=type(err).__name__ if status != 500 else INTERNAL_ERROR,
            message=message,
            # A bad plan stays bad; our own failures may be transient (memory, a bug fixed later).
            retryable=status >= 500,
            detector_name=self.model.name,
            detector_version=self.model.version,
        )
        return json.dumps(doc, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def _json(start_response: StartResponse, status: int, doc: dict[str, Any]) -> list[bytes]:
        body = json.dumps(doc).encode("utf-8")
        start_response(
            f"{status} {_REASONS.get(status, '')}".strip(),
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]


def create_app(settings: Settings) -> InferenceApp:
    """Load the model (raising on an invalid config) and warm it up: one worker's app."""
    model = inference.model_fn(settings.model_dir)
    inference.model_warmup_fn(settings.model_dir, model)
    import detector

    log.info(
        "model loaded: %s %s (detector package at %s, model dir %s)",
        model.name,
        model.version,
        detector.__file__,
        settings.model_dir,
    )
    return InferenceApp(settings, model)
