"""Fixtures for the Lambda tests (helpers live in lambda_harness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from lambda_harness import (
    BLUEPRINTS,
    ENDPOINT,
    NOW,
    REGION,
    RESULTS,
    STATUS_INDEX,
    TABLE,
    UPLOADS_QUEUE,
    CallSpy,
    FakeSageMaker,
    Pipeline,
    SageMakerLocations,
    _load_app,
    _make_queue,
    create_table,
)
from moto import mock_aws

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "TABLE_NAME": TABLE,
    "RESULTS_BUCKET": RESULTS,
    "POWERTOOLS_SERVICE_NAME": "location-detector-test",
    "POWERTOOLS_METRICS_NAMESPACE": "LocationDetectorTest",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "LOG_LEVEL": "WARNING",
    "ENDPOINT_NAME": ENDPOINT,
    "MAX_OBJECT_BYTES": "1000000",
    "REQUEST_TTL_SECONDS": "3600",
    "INVOCATION_TIMEOUT_SECONDS": "600",
    "RETRY_BUDGET_SECONDS": "600",
    "RETRY_BASE_DELAY_SECONDS": "0",  # tests read the re-queued message at once
    "RECONCILE_MARGIN_SECONDS": "60",
    "STATUS_INDEX_NAME": STATUS_INDEX,
    # moto's URLs for the uploads queue and its DLQ the `pipeline` fixture creates.
    "RETRY_QUEUE_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/{UPLOADS_QUEUE}",
    "DEAD_LETTER_QUEUE_URL": (
        f"https://sqs.{REGION}.amazonaws.com/123456789012/{UPLOADS_QUEUE}-dlq"
    ),
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    return ENV


@pytest.fixture(scope="module")
def apps() -> Iterator[dict[str, Any]]:
    """The three handler modules, imported once per test module (cold start is the slow
    part). moto intercepts their module-level clients whenever a mock is active."""
    with pytest.MonkeyPatch.context() as mp:
        for key, value in ENV.items():
            mp.setenv(key, value)
        loaded = {n: _load_app(n) for n in ("trigger", "success", "failure", "reconciler")}
    for app in loaded.values():
        app.deps.clock = lambda: NOW
    yield loaded


@pytest.fixture
def pipeline(env: dict[str, str], apps: dict[str, Any]) -> Iterator[Pipeline]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        ddb = boto3.resource("dynamodb", region_name=REGION)
        s3.create_bucket(Bucket=BLUEPRINTS)
        s3.create_bucket(Bucket=RESULTS)
        table = create_table(ddb)
        uploads, uploads_dlq = _make_queue(sqs, UPLOADS_QUEUE, 3)
        errors, errors_dlq = _make_queue(sqs, "location-detector-test-failure", 2)
        assert uploads == ENV["RETRY_QUEUE_URL"]
        assert uploads_dlq == ENV["DEAD_LETTER_QUEUE_URL"]

        trigger, success, failure = apps["trigger"], apps["success"], apps["failure"]
        spies = [
            CallSpy(
                trigger.deps.sagemaker_runtime,
                "provide-client-params.sagemaker-runtime.InvokeEndpointAsync",
            ),
            CallSpy(
                [trigger.deps.sqs, failure.deps.sqs, apps["reconciler"].deps.sqs],
                "provide-client-params.sqs.SendMessage",
            ),
            CallSpy([app.deps.s3 for app in apps.values()], "provide-client-params.s3.PutObject"),
        ]
        locations = SageMakerLocations(trigger.deps.sagemaker_runtime)
        try:
            yield Pipeline(
                s3=s3,
                sqs=sqs,
                table=table,
                uploads_url=uploads,
                uploads_dlq_url=uploads_dlq,
                errors_url=errors,
                errors_dlq_url=errors_dlq,
                trigger=trigger,
                success=success,
                failure=failure,
                reconciler=apps["reconciler"],
                invocations=spies[0],
                retries=spies[1],
                result_puts=spies[2],
            )
        finally:
            locations.close()
            for spy in spies:
                spy.close()


@pytest.fixture
def sagemaker(pipeline: Pipeline) -> FakeSageMaker:
    return FakeSageMaker(pipeline)
