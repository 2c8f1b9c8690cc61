"""serving.app.InferenceApp as a WSGI callable, for what a real server cannot be made to do."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from container_helpers import drawn_page, encode

import inference
from detector.results import validate_document
from serving.app import InferenceApp
from serving.settings import Settings


def call(app: InferenceApp, method: str, path: str, body: bytes = b"", **env: str) -> Any:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **env,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    seen["body"] = b"".join(app(environ, start_response))
    return seen


class BrokenDetector:
    """Loads fine, then fails on every plan: stands in for a bug of ours."""

    name, version = "broken", "0"

    def __init__(self, real: Any) -> None:
        self.config = real.config

    def detect_pages(self, pages: list[np.ndarray]) -> list[Any]:
        raise RuntimeError("index out of range in stage 3")

    def document(self, pages: list[np.ndarray], *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"pages": self.detect_pages(pages)}


def test_our_own_bug_is_a_500_and_says_retryable(tmp_path: Path) -> None:
    broken: Any = BrokenDetector(inference.model_fn(tmp_path))
    app = InferenceApp(Settings(), broken)
    plan = encode(drawn_page(1), ".png")
    resp = call(app, "POST", "/invocations", plan, CONTENT_TYPE="image/png")
    assert resp["status"] == 500
    doc = json.loads(resp["body"])
    validate_document(doc)
    assert doc["error"]["type"] == "InternalError"
    assert doc["error"]["retryable"] is True
    assert "index out of range" in doc["error"]["message"]


def test_head_ping_and_content_length(tmp_path: Path) -> None:
    app = InferenceApp(Settings(), inference.model_fn(tmp_path))
    resp = call(app, "HEAD", "/ping")
    assert resp["status"] == 200
    assert resp["headers"]["Content-Length"] == str(len(resp["body"]))
