"""The whole pipeline, offline, with its real parts: Terraform's `local` root applied to the
emulator (moto server via localstack/emulator.py), the container's entrypoint `model/serve`,
the Lambda zips of `make functions` run by localstack/lambda_runner.py, the SageMaker async
runtime stand-in localstack/endpoint.py, and boto3 as a user would call it.

The pipeline is started once for the whole directory (conftest.py) and shared with the fault
tests (test_faults.py). About two minutes, most of it `terraform apply`.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from detector.opencv_detector import OpenCVDetector
from detector.results import validate_document
from localrun.client import Client
from localrun.demo import draw_png
from localrun.services import Pipeline, serve_spec

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def rooms_of(doc: dict) -> list[list[list[float]]]:
    return [room["polygon"] for page in doc["pages"] for room in page["rooms"]]


def wait_drained(pipe: Client, timeout: float = 20) -> dict[str, dict[str, int]]:
    """Queue depths once every source queue is empty (the runner deletes after the handler)."""
    deadline = time.monotonic() + timeout
    while True:
        depths = pipe.queue_depths()
        busy = any(d["visible"] or d["in_flight"] for d in depths.values())
        if not busy or time.monotonic() > deadline:
            return depths
        time.sleep(0.5)


def test_drawn_plan_gives_the_rooms_the_detector_finds(
    pipe: Client, detector: OpenCVDetector
) -> None:
    png, plan = draw_png(11, 1200, 900)
    key = pipe.stack.upload_key("e2e/plan-11.png")
    started = time.monotonic()
    pipe.upload(key, png, "image/png")
    doc = pipe.wait_result(key, timeout=60)
    elapsed = time.monotonic() - started

    validate_document(doc)
    assert doc["status"] == "succeeded", json.dumps(doc)[:500]
    expected = detector.process(png, name="plan-11.png", content_type="image/png")
    assert rooms_of(doc) == rooms_of(expected)
    assert len(rooms_of(doc)) >= plan.room_count // 2  # a real plan, not an empty page
    assert doc["source"]["uri"] == f"s3://{pipe.stack.blueprints_bucket}/{key}"
    inference = doc["inference"]
    assert inference["endpoint"] == pipe.stack.endpoint_name
    assert inference["attempts"] == 1
    assert inference["output_location"].startswith(
        f"s3://{pipe.stack.results_bucket}/{pipe.stack.prefixes['output']}e2e/"
    )
    assert 0 < inference["timings_s"]["end_to_end"] < elapsed + 5

    status = pipe.status_record(doc)
    assert status["status"] == "COMPLETED"
    assert status["room_count"] == len(rooms_of(doc))
    assert status["result_uri"] == f"s3://{pipe.stack.results_bucket}/{pipe.stack.result_key(key)}"


def test_corrupt_png_fails_once_with_a_failure_document(pipe: Client) -> None:
    png, _ = draw_png(12, 600, 450)
    corrupt = png[:64] + bytes(range(256)) * 8  # PNG magic and header, then garbage
    key = pipe.stack.upload_key("e2e/corrupt.png")
    pipe.upload(key, corrupt, "image/png")
    doc = pipe.wait_result(key, timeout=60)

    validate_document(doc)
    assert doc["status"] == "failed"
    assert doc["error"]["type"] == "CorruptImageError"
    assert doc["error"]["retryable"] is False
    assert doc["inference"]["attempts"] == 1  # the container refused it: final, not retried
    status = pipe.status_record(doc)
    assert status["status"] == "FAILED"
    assert status["attempts"] == 1
    assert status["error_type"] == "CorruptImageError"
    # No crash loop: nothing left to redeliver, nothing parked in a dead-letter queue.
    depths = wait_drained(pipe)
    assert all(not any(d.values()) for d in depths.values()), depths


def test_non_image_is_refused_before_inference(pipe: Client) -> None:
    key = pipe.stack.upload_key("e2e/notes.png")
    pipe.upload(key, b"a shopping list, not a floor plan\n", "image/png")
    doc = pipe.wait_result(key, timeout=60)

    validate_document(doc)
    assert doc["status"] == "failed"
    assert doc["error"]["retryable"] is False
    assert "inference" not in doc  # the trigger refused it without invoking the endpoint
    # The document is written first, the status item just after it.
    deadline = time.monotonic() + 30
    while not (status := pipe.status_record(doc)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status.get("status") == "FAILED", status


def test_same_file_name_in_two_folders_gives_two_results(
    pipe: Client, detector: OpenCVDetector
) -> None:
    plans = {
        pipe.stack.upload_key(f"site-{site}/plan.png"): draw_png(seed, 900, 700)[0]
        for site, seed in (("a", 21), ("b", 22))
    }
    for key, png in plans.items():
        pipe.upload(key, png, "image/png")
    docs = {key: pipe.wait_result(key, timeout=60) for key in plans}

    outputs = {doc["inference"]["output_location"] for doc in docs.values()}
    assert len(outputs) == 2, outputs
    for key, doc in docs.items():
        validate_document(doc)
        assert doc["status"] == "succeeded"
        assert doc["source"]["uri"].endswith(key)
        expected = detector.process(plans[key], name="plan.png", content_type="image/png")
        assert rooms_of(doc) == rooms_of(expected), key
    site_a, site_b = (docs[k] for k in plans)
    assert rooms_of(site_a) != rooms_of(site_b)
    assert all(d["in_flight"] == 0 for d in wait_drained(pipe).values())


def test_lost_model_server_is_retried_then_completed(
    pipeline: Pipeline, detector: OpenCVDetector
) -> None:
    """The instance is gone when the plan arrives: SageMaker reports an error, the failure
    Lambda classifies it as transient and re-queues the plan (SQS DelaySeconds); once the
    server is back, the next attempt completes. envs/local deploys the failure Lambda with a
    3 s first backoff (`retry_base_delay_seconds`), so the retry comes within seconds."""
    pipe = pipeline.client
    config = pipe.lam.get_function_configuration(FunctionName=pipe.stack.function_names["failure"])
    assert config["Environment"]["Variables"]["RETRY_BASE_DELAY_SECONDS"] == "3"

    png = draw_png(31, 900, 700)[0]
    key = pipe.stack.upload_key("e2e/retried.png")
    pipeline.stop_service("serve")
    try:
        pipe.upload(key, png, "image/png")
        deadline = time.monotonic() + 90  # three SQS hops; minutes on a loaded machine
        status: dict = {}
        while time.monotonic() < deadline and not status.get("last_error"):
            time.sleep(0.3)
            status = pipe.status_of(key)
        assert status.get("status") == "SUBMITTED", status
        assert "model" in status["last_error"], status
    finally:
        pipeline.start_service("serve")
    doc = pipe.wait_result(key, timeout=60)

    validate_document(doc)
    assert doc["status"] == "succeeded", json.dumps(doc)[:500]
    assert doc["inference"]["attempts"] >= 2
    expected = detector.process(png, name="retried.png", content_type="image/png")
    assert rooms_of(doc) == rooms_of(expected)
    status = pipe.status_record(doc)
    assert status["status"] == "COMPLETED"
    assert status["attempts"] == doc["inference"]["attempts"]
    assert all(d["visible"] == 0 for d in wait_drained(pipe).values())


def test_the_built_image_serves_the_pipeline(
    pipeline: Pipeline, pipe: Client, detector: OpenCVDetector
) -> None:
    """`make pipeline-up MODEL_RUNTIME=image`: the model server swapped for the built image."""
    subprocess.run(
        [str(ROOT / "model" / "image.sh"), "build"], check=True, timeout=3600, capture_output=True
    )
    process_spec = pipeline.supervisor.specs()["serve"]
    port = int(process_spec.env["SAGEMAKER_BIND_TO_PORT"])
    model_dir = Path(process_spec.env["MODEL_DIR"])
    pipeline.stop_service("serve")
    model_env = {k: v for k, v in process_spec.env.items() if k not in ("PATH", "MODEL_DIR")}
    pipeline.supervisor.start(serve_spec(port, model_dir, model_env, workers=1, runtime="image"))
    try:
        png, _ = draw_png(13, 1000, 750)
        key = pipe.stack.upload_key("e2e/image/plan-13.png")
        pipe.upload(key, png, "image/png")
        doc = pipe.wait_result(key, timeout=90)
        validate_document(doc)
        assert doc["status"] == "succeeded", json.dumps(doc)[:500]
        expected = detector.process(png, name="plan-13.png", content_type="image/png")
        assert rooms_of(doc) == rooms_of(expected)
        assert f"ld-serve-{port}" in subprocess.run(
            [str(ROOT / "model" / "image.sh"), "ps", "--format", "{{.Names}}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        pipeline.stop_service("serve")  # SIGTERM through the engine; --rm removes it
        pipeline.supervisor.start(process_spec)
    names = subprocess.run(
        [str(ROOT / "model" / "image.sh"), "ps", "-a", "--format", "{{.Names}}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"ld-serve-{port}" not in names
