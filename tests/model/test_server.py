"""The real entrypoint (`model/serve`) as SageMaker runs it: ping, invocations, errors, SIGTERM."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from container_helpers import (
    SERVE,
    TEST_MAX_BODY,
    ServerProcess,
    comparable,
    drawn_page,
    encode,
    encrypted_pdf,
    make_model_dir,
    pdf_of,
    png_bomb,
    serve_env,
)

from detector import errors
from detector.opencv_detector import OpenCVDetector
from detector.results import validate_document


def _expected(detector: OpenCVDetector, data: bytes, content_type: str) -> dict[str, Any]:
    return comparable(detector.process(data, name="x", content_type=content_type))


def _failure(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status == status, resp.body
    assert resp.headers["content-type"] == "application/json"
    doc = resp.json()
    validate_document(doc)
    assert doc["status"] == "failed"
    assert doc["error"]["message"]
    return doc


def test_ping_is_200_once_the_model_is_loaded(server: ServerProcess) -> None:
    resp = server.request("GET", "/ping")
    assert resp.status == 200
    assert "model loaded" in server.log()


@pytest.mark.parametrize("fmt", ["png", "jpeg", "tiff", "pdf"])
def test_invocation_returns_the_results_document(
    server: ServerProcess,
    detector: OpenCVDetector,
    plans: dict[str, tuple[bytes, str]],
    fmt: str,
) -> None:
    data, content_type = plans[fmt]
    resp = server.invoke(data, content_type)
    assert resp.status == 200, resp.body
    assert resp.headers["content-type"] == "application/json"
    doc = resp.json()
    validate_document(doc)
    assert doc["status"] == "succeeded"
    assert comparable(doc) == _expected(detector, data, content_type)
    assert len(doc["pages"]) == (2 if fmt == "pdf" else 1)
    assert doc["source"]["content_type"] == content_type
    assert doc["room_count"] == sum(len(p["rooms"]) for p in doc["pages"]) > 0


@pytest.mark.parametrize("content_type", ["application/octet-stream", "application/x-image", None])
def test_generic_content_types_are_sniffed(
    server: ServerProcess, plans: dict[str, tuple[bytes, str]], content_type: str | None
) -> None:
    data, _ = plans["jpeg"]
    resp = server.invoke(data, content_type)
    assert resp.status == 200, resp.body
    assert resp.json()["source"]["content_type"] == "image/jpeg"


def test_json_with_a_base64_image(
    server: ServerProcess, detector: OpenCVDetector, plans: dict[str, tuple[bytes, str]]
) -> None:
    data, _ = plans["png"]
    body = json.dumps({"image": base64.b64encode(data).decode(), "name": "flat.png"}).encode()
    resp = server.invoke(body, "application/json")
    assert resp.status == 200, resp.body
    doc = resp.json()
    assert doc["source"]["name"] == "flat.png"
    assert comparable(doc) == _expected(detector, data, "image/png")


def test_custom_attributes_name_the_plan_and_come_back(
    server: ServerProcess, plans: dict[str, tuple[bytes, str]]
) -> None:
    data, content_type = plans["png"]
    attrs = "uri=s3%3A%2F%2Fbucket%2Fblueprints%2Fmy%20plan.png;trace=abc"
    resp = server.invoke(data, content_type, **{"X-Amzn-SageMaker-Custom-Attributes": attrs})
    assert resp.status == 200
    source = resp.json()["source"]
    assert source["uri"] == "s3://bucket/blueprints/my plan.png"
    assert source["name"] == "my plan.png"
    assert resp.headers["x-amzn-sagemaker-custom-attributes"] == attrs


_BAD_INPUTS: list[tuple[str, bytes, str, type[errors.InvalidPlanError]]] = [
    ("zero bytes", b"", "image/png", errors.EmptyInputError),
    ("not an image", b"these are not the pixels you seek", "application/octet-stream",
     errors.UnsupportedFormatError),
    ("decompression bomb", png_bomb(), "image/png", errors.ImageTooLargeError),
    ("corrupt pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "application/pdf", errors.PdfError),
    ("encrypted pdf", encrypted_pdf(), "application/pdf", errors.PdfError),
    ("1x1 pixel", encode(drawn_page(1)[:1, :1].copy(), ".png"), "image/png",
     errors.ImageTooSmallError),
]  # fmt: skip


@pytest.mark.parametrize(("data", "content_type", "error"), [b[1:] for b in _BAD_INPUTS],
                         ids=[b[0] for b in _BAD_INPUTS])  # fmt: skip
def test_bad_input_is_a_400_naming_the_cause(
    server: ServerProcess, data: bytes, content_type: str, error: type[Exception]
) -> None:
    doc = _failure(server.invoke(data, content_type), 400)
    assert doc["error"]["type"] == error.__name__
    assert doc["error"]["retryable"] is False
    assert doc["source"]["bytes"] == len(data)


def test_truncated_image_is_a_400(
    server: ServerProcess, plans: dict[str, tuple[bytes, str]]
) -> None:
    data, content_type = plans["png"]
    doc = _failure(server.invoke(data[: len(data) // 2], content_type), 400)
    assert doc["error"]["type"] == errors.CorruptImageError.__name__


def test_bad_base64_json_is_a_400(server: ServerProcess) -> None:
    doc = _failure(server.invoke(b'{"image": "###"}', "application/json"), 400)
    assert doc["error"]["type"] == "InvalidRequestError"
    assert "base64" in doc["error"]["message"]


def test_unsupported_content_type_is_a_415(
    server: ServerProcess, plans: dict[str, tuple[bytes, str]]
) -> None:
    doc = _failure(server.invoke(plans["png"][0], "text/csv"), 415)
    assert doc["error"]["type"] == "UnsupportedContentTypeError"
    assert "text/csv" in doc["error"]["message"]


def test_unsupported_accept_is_a_406(
    server: ServerProcess, plans: dict[str, tuple[bytes, str]]
) -> None:
    data, content_type = plans["png"]
    doc = _failure(server.invoke(data, content_type, Accept="text/csv"), 406)
    assert doc["error"]["type"] == "UnsupportedAcceptError"


def test_oversized_body_is_refused_with_413(server: ServerProcess) -> None:
    body = b"\x89PNG\r\n\x1a\n" + bytes(TEST_MAX_BODY)
    doc = _failure(server.invoke(body, "image/png"), 413)
    assert doc["error"]["type"] == "PayloadTooLargeError"
    assert str(TEST_MAX_BODY) in doc["error"]["message"]
    assert server.ping_status() == 200  # the worker survived


def test_oversized_chunked_body_is_refused_with_413(server: ServerProcess) -> None:
    chunk = bytes(1024 * 1024)
    chunks = [chunk] * (TEST_MAX_BODY // len(chunk) + 2)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/invocations",
            body=iter(chunks),
            headers={"Content-Type": "image/png"},
            encode_chunked=True,
        )
        resp = conn.getresponse()
        assert resp.status == 413
        assert b"PayloadTooLargeError" in resp.read()
    finally:
        conn.close()


def test_unknown_route_and_wrong_method(server: ServerProcess) -> None:
    assert server.request("GET", "/nope").status == 404
    assert server.request("GET", "/invocations").status == 405
    assert server.request("POST", "/ping", b"").status == 405


def test_twenty_concurrent_requests_are_all_correct(
    server: ServerProcess, detector: OpenCVDetector
) -> None:
    # Every fourth is a PDF: pdfium is not thread-safe, so this also checks it is serialised.
    requests = [
        (pdf_of(drawn_page(100 + i, 640, 480)), "application/pdf")
        if i % 4 == 0
        else (encode(drawn_page(100 + i, 640, 480), ".png"), "image/png")
        for i in range(20)
    ]
    expected = [_expected(detector, b, t) for b, t in requests]
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda r: server.invoke(*r), requests))
    assert [r.status for r in responses] == [200] * 20
    for resp, want in zip(responses, expected, strict=True):
        assert comparable(resp.json()) == want


def test_sigterm_drains_the_request_in_flight(
    server_factory: Any, model_dir: Path, detector: OpenCVDetector
) -> None:
    """SIGTERM while a request is still uploading: it completes, then the server exits 0."""
    srv: ServerProcess = server_factory(model_dir, SAGEMAKER_MODEL_SERVER_WORKERS="1")
    body = encode(drawn_page(5, 2400, 1800), ".png")
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    conn.putrequest("POST", "/invocations")
    conn.putheader("Content-Type", "image/png")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    half = len(body) // 2
    conn.send(body[:half])
    time.sleep(0.5)  # the worker has accepted the request and is reading its body
    srv.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while srv.ping_status() is not None:  # draining: new clients are no longer accepted
        assert time.monotonic() < deadline, "the server kept accepting after SIGTERM"
        time.sleep(0.05)
    conn.send(body[half:])
    resp = conn.getresponse()
    doc = json.loads(resp.read())
    conn.close()
    assert resp.status == 200
    assert comparable(doc) == _expected(detector, body, "image/png")
    assert srv.proc.wait(timeout=30) == 0


def test_sigterm_with_nothing_in_flight_exits_at_once(server_factory: Any, model_dir: Path) -> None:
    """Idle workers stop at once, not after the graceful timeout (25 s), and none aborts.

    A worker forked after the master had loaded ONNX Runtime hung in its exit handlers."""
    srv: ServerProcess = server_factory(model_dir)
    for seed in (1, 2):  # both workers, most likely, have read a plan's text
        assert srv.invoke(encode(drawn_page(seed, 1200, 900), ".png"), "image/png").status == 200
    started = time.monotonic()
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=30) == 0
    assert time.monotonic() - started < 10
    assert "SIGABRT" not in srv.log() and "terminate called" not in srv.log()


def test_invalid_config_fails_loudly_and_never_pings(
    server_factory: Any, world_readable_tmp: Path
) -> None:
    bad = make_model_dir(world_readable_tmp, {"min_area": 0.5, "bogus_key": 1})
    srv: ServerProcess = server_factory(bad, wait=False)
    statuses = set()
    deadline = time.monotonic() + 20
    while srv.proc.poll() is None and time.monotonic() < deadline:
        statuses.add(srv.ping_status())
        time.sleep(0.05)
    assert srv.proc.returncode not in (None, 0)
    assert 200 not in statuses
    assert "bogus_key" in srv.log()


def test_invalid_setting_fails_loudly(server_factory: Any, model_dir: Path) -> None:
    srv: ServerProcess = server_factory(
        model_dir, wait=False, SAGEMAKER_MODEL_SERVER_WORKERS="many"
    )
    assert srv.proc.wait(timeout=20) == 2
    assert "SAGEMAKER_MODEL_SERVER_WORKERS" in srv.log()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_workers_drop_to_the_configured_user(
    server_factory: Any, model_dir: Path, plans: dict[str, tuple[bytes, str]]
) -> None:
    import pwd

    srv: ServerProcess = server_factory(model_dir, MODEL_SERVER_USER="nobody")
    assert _uid(srv.proc.pid) == 0  # the master stays root, as SageMaker expects
    nobody = pwd.getpwnam("nobody").pw_uid
    # /ping answers once one worker is up; a sibling may still be between fork and setuid
    deadline = time.monotonic() + 10
    while True:
        try:
            uids = {_uid(w) for w in _children(srv.proc.pid)}
        except FileNotFoundError:  # a worker replaced while we read /proc
            uids = set()
        if uids == {nobody} or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert uids == {nobody}
    data, content_type = plans["pdf"]
    assert srv.invoke(data, content_type).status == 200


def test_ping_answers_while_a_request_is_in_flight(server_factory: Any, model_dir: Path) -> None:
    """A single worker busy with a request still answers /ping at once (SageMaker's 2 s)."""
    srv: ServerProcess = server_factory(model_dir, SAGEMAKER_MODEL_SERVER_WORKERS="1")
    body = encode(drawn_page(8), ".png")
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    conn.putrequest("POST", "/invocations")
    conn.putheader("Content-Type", "image/png")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[:100])  # the worker's request thread now waits for the rest
    time.sleep(0.3)
    t0 = time.monotonic()
    assert srv.ping_status() == 200
    assert time.monotonic() - t0 < 2.0  # SageMaker's limit for /ping
    conn.send(body[100:])
    assert conn.getresponse().status == 200
    conn.close()


def test_serve_refuses_other_commands(server_factory: Any, model_dir: Path) -> None:
    """SageMaker passes `serve`; `train` (or anything else) is a usage error, not a server."""
    proc = subprocess.run(
        [str(SERVE), "train"], capture_output=True, text=True, timeout=60, env=serve_env()
    )
    assert proc.returncode == 2
    assert "invalid choice: 'train'" in proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping privileges needs root")
def test_workers_do_not_depend_on_the_model_dir_permissions(
    server_factory: Any, world_readable_tmp: Path, plans: dict[str, tuple[bytes, str]]
) -> None:
    """A root-only config.json (SageMaker promises nothing more): the master copies it."""
    private = make_model_dir(world_readable_tmp, {"min_area": 0.001})
    (private / "config.json").chmod(0o600)
    srv: ServerProcess = server_factory(private, MODEL_SERVER_USER="nobody")
    assert f"model dir {private} staged at" in srv.log()
    resp = srv.invoke(*plans["png"])
    assert resp.status == 200
    assert resp.json()["detector"]["config"]["min_area"] == 0.001


def test_a_broken_chunked_upload_is_a_400(server: ServerProcess) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n0\r\n\r\n"
        )
        answer = b""
        while b"}" not in answer:  # the JSON failure document ends the response
            chunk = sock.recv(65536)
            assert chunk, answer
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 Bad Request")
    assert b'"type":"InvalidRequestError"' in answer
    assert server.ping_status() == 200
