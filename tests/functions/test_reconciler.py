"""pipeline/reconciler.py: plans no notification finished are finished from the index."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from lambda_harness import (
    NOW,
    RESULTS,
    CallSpy,
    Pipeline,
    drain,
    load_event,
    queue_bodies,
    run,
    success_document,
    unreadable_plan_document,
)

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

# conftest: INVOCATION_TIMEOUT_SECONDS 600, RECONCILE_MARGIN_SECONDS 60, REQUEST_TTL 3600,
# RETRY_BUDGET_SECONDS 600.
PAST_DEADLINE = NOW + timedelta(seconds=600 + 60 + 1)
PAST_EXPIRY = NOW + timedelta(seconds=3600 + 600 + 60 + 1)


def reconcile(pipeline: Pipeline, at: Any) -> dict[str, int]:
    pipeline.reconciler.deps.clock = lambda: at
    for app in (pipeline.success, pipeline.failure):
        app.deps.clock = lambda: at
    try:
        return run(pipeline.reconciler, load_event("eventbridge_scheduled.json"))
    finally:
        for app in (pipeline.reconciler, pipeline.success, pipeline.failure):
            app.deps.clock = lambda: NOW


@pytest.fixture
def scans(pipeline: Pipeline):
    client = pipeline.reconciler.deps.status._table.meta.client
    spies = (
        CallSpy(client, "provide-client-params.dynamodb.Scan"),
        CallSpy(client, "provide-client-params.dynamodb.Query"),
    )
    yield spies
    for spy in spies:
        spy.close()


def test_a_lost_success_notification_is_completed_from_the_output(
    pipeline: Pipeline, sagemaker, scans
) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/lost.png"))
    [call] = pipeline.invocations.calls
    sagemaker.succeed(call, success_document(rooms=5))  # output written, notification lost

    assert reconcile(pipeline, NOW + timedelta(seconds=30)) == {}  # not due yet
    assert reconcile(pipeline, PAST_DEADLINE) == {"completed": 1}
    result = pipeline.result("blueprints/lost.png")
    assert result["status"] == "succeeded" and result["room_count"] == 5
    assert result["inference"]["inference_id"] == call["InferenceId"]
    item = pipeline.status(call["InferenceId"])
    assert item["status"] == "COMPLETED" and "deadline_at" not in item

    assert reconcile(pipeline, PAST_EXPIRY) == {}  # final plans left the index
    scan, query = scans
    assert scan.calls == [] and query.calls  # the index, never a Scan
    assert {c["IndexName"] for c in query.calls} == {"status-deadline"}


def test_a_late_notification_after_the_reconciler_writes_nothing(pipeline: Pipeline, sagemaker):
    """The reconciler and the success function share one idempotency record per inference id:
    the notification that turns up after the reconciler finished the plan rewrites nothing."""
    run(pipeline.trigger, pipeline.upload("blueprints/late.png"))
    [call] = pipeline.invocations.calls
    notification = sagemaker.succeed(call, success_document(rooms=3))  # delayed, not lost
    assert reconcile(pipeline, PAST_DEADLINE) == {"completed": 1}
    run(pipeline.success, notification)
    puts = [c for c in pipeline.result_puts.calls if c["Key"] == "results/blueprints/late.png.json"]
    assert len(puts) == 1
    assert pipeline.result("blueprints/late.png")["room_count"] == 3


def test_a_notification_being_handled_is_left_to_its_function(pipeline: Pipeline, sagemaker):
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
    )

    run(pipeline.trigger, pipeline.upload("blueprints/racing.png"))
    [call] = pipeline.invocations.calls
    sagemaker.succeed(call, success_document())

    def busy(_notification: Any) -> dict[str, Any]:
        raise IdempotencyAlreadyInProgressError("the success function holds it")

    deps = pipeline.reconciler.deps
    complete, deps.complete = deps.complete, busy
    try:
        assert reconcile(pipeline, PAST_DEADLINE) == {"in_progress": 1}
    finally:
        deps.complete = complete
    assert pipeline.status(call["InferenceId"])["status"] == "SUBMITTED"  # untouched


def test_no_output_waits_for_the_request_to_expire_then_resubmits(
    pipeline: Pipeline, sagemaker
) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/vanished.png"))
    [first] = pipeline.invocations.calls  # accepted, then lost with the instance holding it

    assert reconcile(pipeline, PAST_DEADLINE) == {"deferred": 1}  # may still be queued
    assert pipeline.retries.calls == []
    assert reconcile(pipeline, PAST_DEADLINE + timedelta(seconds=5)) == {}  # snoozed

    # The request's TTL and the invocation timeout have passed: SageMaker is done with it.
    # The budget (600 s) counts from the first attempt, so give it a fresh one first.
    pipeline.table.update_item(
        Key={"id": "plan#" + first["InferenceId"][:-2]},
        UpdateExpression="SET budget_started_at = :t",
        ExpressionAttributeValues={":t": PAST_EXPIRY.isoformat()},
    )
    assert reconcile(pipeline, PAST_EXPIRY + timedelta(seconds=1)) == {"retried": 1}
    assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    second = pipeline.invocations.calls[-1]
    assert second["InferenceId"] == first["InferenceId"][:-1] + "2"
    assert run(pipeline.success, sagemaker.succeed(second, success_document())) == {
        "batchItemFailures": []
    }
    assert pipeline.result("blueprints/vanished.png")["inference"]["attempts"] == 2


def test_budget_spent_the_reconciler_fails_the_plan_and_parks_it(pipeline: Pipeline) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/stuck.png"))
    [call] = pipeline.invocations.calls
    assert reconcile(pipeline, PAST_EXPIRY) == {"failed": 1}
    item = pipeline.status(call["InferenceId"])
    assert item["status"] == "FAILED" and item["error_type"] == "RetriesExhausted"
    assert pipeline.result("blueprints/stuck.png")["error"]["retryable"] is True
    [parked] = queue_bodies(pipeline.sqs, pipeline.uploads_dlq_url)
    assert json.loads(parked)["attempt"] == 2


def test_a_lost_failure_notification_with_a_client_error_is_final(pipeline: Pipeline) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/refused.png"))
    [call] = pipeline.invocations.calls
    plan_id = call["InferenceId"][:-2]
    error_key = f"sagemaker-failures/{plan_id}/refused-error.out"  # where SageMaker said
    doc = unreadable_plan_document()
    pipeline.s3.put_object(Bucket=RESULTS, Key=error_key, Body=json.dumps(doc).encode())
    assert reconcile(pipeline, PAST_DEADLINE) == {"failed": 1}
    result = pipeline.result("blueprints/refused.png")
    assert result["error"]["type"] == "CorruptImageError" and result["error"]["retryable"] is False
    assert pipeline.retries.calls == []
