"""The pipeline under faults (issue 11, item 7): one process killed or one message lost at a
time, on the real pipeline of conftest.py (moto server, the real Lambda zips, the real
`model/serve`). What must hold: every upload ends in exactly one final document, a failure that
is not the plan's fault is retried until it succeeds, and nothing is processed twice.

envs/local deploys a retry budget (`retry_budget_seconds`, 30 min) far beyond the old behaviour
(three attempts in about 9 s), a short invocation timeout and a one-minute reconciler schedule,
so each test outlasts the old budget and still ends within a few minutes.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from detector.results import validate_document
from localrun.client import Client
from localrun.demo import draw_png
from localrun.services import Pipeline

pytestmark = pytest.mark.slow

BURST = 12  # plans in the burst of (a): enough to fill the batches of several pollers
OUTAGE_S = 30  # longer than the old retry budget (3 attempts within ~9 s)


def small_plans(count: int, first_seed: int) -> list[bytes]:
    return [draw_png(first_seed + i, 600, 450)[0] for i in range(count)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wait_until(what: str, condition: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def result_versions(pipe: Client, key: str) -> list[dict[str, Any]]:
    """Every version of the upload's final document, oldest first."""
    s3, bucket = pipe.s3, pipe.stack.results_bucket
    result_key = pipe.stack.result_key(key)
    listed = s3.list_object_versions(Bucket=bucket, Prefix=result_key).get("Versions", [])
    versions = sorted(
        (v for v in listed if v["Key"] == result_key), key=lambda v: v["LastModified"]
    )
    return [
        json.loads(
            s3.get_object(Bucket=bucket, Key=result_key, VersionId=v["VersionId"])["Body"].read()
        )
        for v in versions
    ]


def all_results(pipe: Client, keys: list[str], timeout: float) -> dict[str, dict[str, Any]]:
    docs: dict[str, dict[str, Any]] = {}

    def complete() -> bool:
        for key in keys:
            if key not in docs and (doc := pipe.result(key)) is not None:
                docs[key] = doc
        return len(docs) == len(keys)

    try:
        wait_until("a result for every upload", complete, timeout)
    except AssertionError as err:
        missing = [k for k in keys if k not in docs]
        statuses = {k: pipe.status_of(k).get("status") for k in missing[:5]}
        raise AssertionError(f"{err}: {len(missing)} missing, e.g. {statuses}") from None
    return docs


@contextmanager
def frozen(pipeline: Pipeline, name: str) -> Iterator[None]:
    """SIGSTOP the service's process group (a hung instance), SIGCONT on the way out."""
    pid = pipeline.supervisor.pid(name)
    assert pid is not None
    os.killpg(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(pid, signal.SIGCONT)


def test_model_server_down_longer_than_the_old_budget(pipeline: Pipeline) -> None:
    """(a) A burst while the model server is gone for longer than three quick attempts last:
    every plan ends with a result, none FAILED, none processed twice."""
    pipe = pipeline.client
    plans = {
        pipe.stack.upload_key(f"faults/outage/{i}.png"): png
        for i, png in enumerate(small_plans(BURST, 100))
    }
    pipeline.stop_service("serve")
    try:
        for key, png in plans.items():
            pipe.upload(key, png, "image/png")
        # The outage is seen: attempts fail while the server is down.
        wait_until(
            "a failed attempt recorded",
            lambda: any(pipe.status_of(k).get("last_error") for k in plans),
            OUTAGE_S + 30,
        )
        time.sleep(OUTAGE_S)
    finally:
        pipeline.start_service("serve")
    docs = all_results(pipe, list(plans), timeout=240)

    for key, doc in docs.items():
        assert doc["status"] == "succeeded", (key, json.dumps(doc)[:400])
        assert doc["source"]["sha256"] == sha256(plans[key])
        assert len(result_versions(pipe, key)) == 1, f"{key}: final document written twice"
        status = pipe.status_of(key)
        assert status["status"] == "COMPLETED", status
    assert max(d["inference"]["attempts"] for d in docs.values()) >= 2  # really retried


def test_endpoint_killed_holding_accepted_work(pipeline: Pipeline) -> None:
    """(b) The endpoint stand-in dies with invocations accepted (202 sent) but not run: after
    its restart they are run from its durable queue; nothing is lost."""
    pipe = pipeline.client
    held = pipeline.dir / "endpoint-queue"
    plans = {
        pipe.stack.upload_key(f"faults/endpoint/{i}.png"): png
        for i, png in enumerate(small_plans(3, 200))
    }
    with frozen(pipeline, "serve"):  # the invocations cannot finish while it is stopped
        for key, png in plans.items():
            pipe.upload(key, png, "image/png")
        wait_until(
            "every plan accepted by the endpoint",
            lambda: len(list(held.glob("*.json"))) >= len(plans),
            90,
        )
        pipeline.kill("endpoint")  # SIGKILL: only what is on disk survives
    assert len(list(held.glob("*.json"))) >= len(plans)
    pipeline.start_service("endpoint")
    docs = all_results(pipe, list(plans), timeout=180)

    for key, doc in docs.items():
        assert doc["status"] == "succeeded", (key, json.dumps(doc)[:400])
        assert doc["source"]["sha256"] == sha256(plans[key])
        assert len(result_versions(pipe, key)) == 1
    wait_until("the endpoint's queue emptied", lambda: not list(held.glob("*.json")), 30)


def test_overwritten_key_results_describe_their_own_bytes(pipe: Client) -> None:
    """(c) A key overwritten before its first upload is processed: each upload's result was
    made from that upload's bytes (the buckets are versioned)."""
    key = pipe.stack.upload_key("faults/overwritten/plan.png")
    first, second = small_plans(2, 300)
    versions = [pipe.upload(key, data, "image/png")["VersionId"] for data in (first, second)]
    assert versions[0] != versions[1]
    wait_until("two final documents", lambda: len(result_versions(pipe, key)) >= 2, 180)
    time.sleep(5)  # room for a third, wrong one
    docs = result_versions(pipe, key)

    assert len(docs) == 2, [d.get("source") for d in docs]
    for doc in docs:
        validate_document(doc)
        assert doc["status"] == "succeeded"
    assert sorted(d["source"]["sha256"] for d in docs) == sorted([sha256(first), sha256(second)])


def test_dropped_success_notification_is_reconciled(pipeline: Pipeline) -> None:
    """(d) SageMaker's success notification never reaches the success Lambda: the scheduled
    reconciler finds the overdue plan, reads the output SageMaker wrote, and completes it."""
    pipe = pipeline.client
    key = pipe.stack.upload_key("faults/dropped/plan.png")
    png = small_plans(1, 400)[0]
    with frozen(pipeline, "serve"):  # hold the inference until nobody reads the success queue
        pipe.upload(key, png, "image/png")
        wait_until("plan submitted", lambda: pipe.status_of(key).get("status") == "SUBMITTED", 60)
        pipeline.stop_service("runner")
    try:
        output = pipe.status_of(key)["output_location"]
        bucket, _, out_key = output.removeprefix("s3://").partition("/")
        wait_until("SageMaker's output written", lambda: _exists(pipe, bucket, out_key), 90)
        dropped = _drop_notification(pipe, output)
        assert dropped == 1
    finally:
        pipeline.start_service("runner")
    doc = pipe.wait_result(key, timeout=240)  # deadline + one schedule period + a margin

    assert doc["status"] == "succeeded", json.dumps(doc)[:400]
    assert doc["source"]["sha256"] == sha256(png)
    assert pipe.status_of(key)["status"] == "COMPLETED"
    assert len(result_versions(pipe, key)) == 1


def test_poison_plan_fails_once(pipe: Client) -> None:
    """(e) A plan the model refuses (client error): FAILED once, one failure document, not
    retried, nothing parked in a DLQ."""
    png = small_plans(1, 500)[0]
    key = pipe.stack.upload_key("faults/poison/plan.png")
    pipe.upload(key, png[:64] + bytes(range(256)) * 8, "image/png")  # PNG header, garbage body
    doc = pipe.wait_result(key, timeout=120)
    time.sleep(10)  # room for a wrong retry or redelivery to show

    assert doc["status"] == "failed"
    assert doc["error"]["retryable"] is False
    assert len(result_versions(pipe, key)) == 1
    status = pipe.status_of(key)
    assert (status["status"], status["attempts"]) == ("FAILED", 1)
    dlqs = {k: v for k, v in pipe.queue_depths().items() if k.startswith("dlq:")}
    assert not any(v["visible"] for v in dlqs.values()), dlqs


def _exists(pipe: Client, bucket: str, key: str) -> bool:
    try:
        pipe.s3.head_object(Bucket=bucket, Key=key)
    except pipe.s3.exceptions.ClientError:
        return False
    return True


def _drop_notification(pipe: Client, output_location: str) -> int:
    """Receive and delete the success notifications that name ``output_location``; put any
    other message back at once. Returns how many were dropped."""
    sqs, url = pipe.sqs, pipe.stack.queue_urls["success"]
    dropped = 0
    deadline = time.monotonic() + 30
    while not dropped and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            if output_location in message["Body"]:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                dropped += 1
            else:
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    return dropped
