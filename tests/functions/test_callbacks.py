"""pipeline/callbacks.py: SageMaker's notifications become one final document, or a retry.

End to end on moto: upload -> trigger -> (fake) SageMaker -> success / failure callbacks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from lambda_harness import (
    BLUEPRINTS,
    NOW,
    PNG,
    RESULTS,
    Pipeline,
    drain,
    load_event,
    queue_bodies,
    run,
    success_document,
    unreadable_plan_document,
)
from pydantic import ValidationError

from detector.results import INTERNAL_ERROR, Source, failure_document
from pipeline.callbacks import INTERNAL_ERROR_ATTEMPTS, classify_failure, notification_from_record
from pipeline.models import SageMakerInferenceResult, SageMakerRecord

# Ignored or duplicate messages legitimately flush no metrics.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SERVER_ERROR = (
    "ClientError: Received server error (500) from model. See the SageMaker Endpoint logs "
    "in your account for more information."
)
CLIENT_ERROR = (
    'ClientError: Received client error (400) from model with message "{"error": '
    'not a PNG, JPEG, TIFF, BMP, WebP or PDF file}". See the SageMaker Endpoint logs.'
)


def test_client_error_is_final(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/bad-input.png"))
    [call] = pipeline.invocations.calls
    assert run(pipeline.failure, sagemaker.fail(call, CLIENT_ERROR)) == {"batchItemFailures": []}
    assert pipeline.retries.calls == []
    result = pipeline.result("blueprints/bad-input.png")
    assert result["status"] == "failed"
    assert result["error"]["retryable"] is False
    assert result["inference"]["inference_id"] == call["InferenceId"]
    assert pipeline.status(call["InferenceId"])["status"] == "FAILED"


def test_transient_failure_is_retried_then_succeeds(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/flaky.png"))
    [first] = pipeline.invocations.calls
    assert run(pipeline.failure, sagemaker.fail(first, SERVER_ERROR)) == {"batchItemFailures": []}

    # The failure Lambda put the plan back on the uploads queue; the trigger takes it from there.
    [retry] = pipeline.retries.calls
    assert retry["QueueUrl"] == pipeline.uploads_url
    assert json.loads(retry["MessageBody"])["attempt"] == 2
    assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    [_, second] = pipeline.invocations.calls
    assert second["InferenceId"] == first["InferenceId"][:-1] + "2"
    assert second["Filename"] == first["Filename"]

    # Attempt 1's error delivered again after its idempotency record expired: attempt 2 is
    # under way, so it must not fork a second retry.
    expired = [i["id"] for i in pipeline.table.scan()["Items"] if i["id"].startswith("failure#")]
    assert expired
    for item_id in expired:
        pipeline.table.delete_item(Key={"id": item_id})
    assert run(pipeline.failure, sagemaker.fail(first, SERVER_ERROR)) == {"batchItemFailures": []}
    assert len(pipeline.retries.calls) == 1

    assert run(pipeline.success, sagemaker.succeed(second, success_document())) == {
        "batchItemFailures": []
    }
    result = pipeline.result("blueprints/flaky.png")
    assert result["status"] == "succeeded"
    assert result["inference"]["attempts"] == 2
    item = pipeline.status(second["InferenceId"])
    assert item["status"] == "COMPLETED"
    assert int(item["attempts"]) == 2

    # The first attempt's (duplicate) error arriving late changes nothing.
    assert run(pipeline.failure, sagemaker.fail(first, SERVER_ERROR)) == {"batchItemFailures": []}
    assert len(pipeline.retries.calls) == 1
    assert pipeline.result("blueprints/flaky.png")["status"] == "succeeded"


def test_budget_spent_fails_once_parks_the_next_attempt_and_a_redrive_reruns_it(
    pipeline: Pipeline, sagemaker, caplog: pytest.LogCaptureFixture
) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/doomed.png"))
    first = pipeline.invocations.calls[-1]
    assert run(pipeline.failure, sagemaker.fail(first, SERVER_ERROR)) == {"batchItemFailures": []}
    assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    second = pipeline.invocations.calls[-1]
    assert second["InferenceId"].endswith("-2")

    # The outage outlasts the budget (600 s here): attempt 2 fails 11 minutes in.
    later = NOW + timedelta(minutes=11)
    pipeline.failure.deps.clock = lambda: later
    try:
        error_event = sagemaker.fail(second, SERVER_ERROR)
        body = error_event["Records"][0]["body"]
        pipeline.sqs.send_message(QueueUrl=pipeline.errors_url, MessageBody=body)
        caplog.clear()
        assert drain(pipeline.sqs, pipeline.errors_url, pipeline.failure) == []
        # Delivered again (SNS and SQS are at-least-once; the idempotency record expired).
        for item in pipeline.table.scan()["Items"]:
            if item["id"].startswith("failure#"):
                pipeline.table.delete_item(Key={"id": item["id"]})
        assert run(pipeline.failure, error_event) == {"batchItemFailures": []}
    finally:
        pipeline.failure.deps.clock = lambda: NOW

    item = pipeline.status(second["InferenceId"])
    assert item["status"] == "FAILED"
    assert item["error_type"] == "RetriesExhausted" and item["retryable"] is True
    assert "deadline_at" not in item  # out of the reconciler's index
    result = pipeline.result("blueprints/doomed.png")
    assert result["error"]["type"] == "RetriesExhausted"
    assert result["error"]["retryable"] is True
    # One failure document, one ERROR line, whatever the number of deliveries.
    writes = [
        c for c in pipeline.result_puts.calls if c["Key"] == "results/blueprints/doomed.png.json"
    ]
    assert len(writes) == 1
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "retry budget spent" in errors[0].getMessage()
    from pipeline.observability import logger

    rendered = json.loads(logger.registered_formatter.format(errors[0]))
    assert rendered["s3_key"] == "blueprints/doomed.png"  # grep a key, find its failure
    # The next attempt waits in the uploads DLQ, with no budget: a redrive starts a new one.
    [parked] = queue_bodies(pipeline.sqs, pipeline.uploads_dlq_url)
    assert json.loads(parked)["attempt"] == 3 and "budget_started_at" not in json.loads(parked)
    assert queue_bodies(pipeline.sqs, pipeline.errors_dlq_url) == []

    # The redrive (make redrive: DLQ -> uploads queue) really runs the plan again.
    from redrive import redrive

    moved = redrive(pipeline.sqs, pipeline.uploads_dlq_url, pipeline.uploads_url)
    assert moved == 1
    assert queue_bodies(pipeline.sqs, pipeline.uploads_dlq_url) == []
    assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    third = pipeline.invocations.calls[-1]
    assert third["InferenceId"].endswith("-3")
    assert pipeline.status(third["InferenceId"])["status"] == "SUBMITTED"
    assert run(pipeline.success, sagemaker.succeed(third, success_document())) == {
        "batchItemFailures": []
    }
    assert pipeline.result("blueprints/doomed.png")["status"] == "succeeded"
    assert pipeline.status(third["InferenceId"])["status"] == "COMPLETED"


def test_the_containers_own_error_fails_after_a_few_attempts_not_the_budget(
    pipeline: Pipeline, sagemaker
) -> None:
    """A 500 whose failure document says InternalError (a bug for this input) gets
    INTERNAL_ERROR_ATTEMPTS attempts, then FAILED (retryable) with the next one parked."""
    run(pipeline.trigger, pipeline.upload("blueprints/buggy.png"))
    bug = failure_document(
        source=Source.from_bytes(PNG, name="buggy.png", content_type="image/png"),
        error_type=INTERNAL_ERROR,
        message="internal error: ZeroDivisionError: division by zero",
        retryable=True,
        detector_name="opencv-room-detector",
        detector_version="0.1.0",
    )
    for attempt in range(1, INTERNAL_ERROR_ATTEMPTS):
        call = pipeline.invocations.calls[-1]
        assert call["InferenceId"].endswith(f"-{attempt}")
        assert run(pipeline.failure, sagemaker.fail(call, SERVER_ERROR, bug)) == {
            "batchItemFailures": []
        }
        assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    last = pipeline.invocations.calls[-1]
    assert last["InferenceId"].endswith(f"-{INTERNAL_ERROR_ATTEMPTS}")
    assert run(pipeline.failure, sagemaker.fail(last, SERVER_ERROR, bug)) == {
        "batchItemFailures": []
    }
    # Well inside the budget, no further attempt: FAILED, retryable, parked for a redrive.
    retried = [c for c in pipeline.retries.calls if c["QueueUrl"] == pipeline.uploads_url]
    assert len(retried) == INTERNAL_ERROR_ATTEMPTS - 1
    item = pipeline.status(last["InferenceId"])
    assert item["status"] == "FAILED" and item["retryable"] is True
    result = pipeline.result("blueprints/buggy.png")
    assert result["error"]["type"] == INTERNAL_ERROR and result["error"]["retryable"] is True
    assert "ZeroDivisionError" in result["error"]["message"]
    [parked] = queue_bodies(pipeline.sqs, pipeline.uploads_dlq_url)
    assert json.loads(parked)["attempt"] == INTERNAL_ERROR_ATTEMPTS + 1


def test_repeated_client_error_writes_one_document(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/poison.png"))
    [call] = pipeline.invocations.calls
    event = sagemaker.fail(call, CLIENT_ERROR)
    assert run(pipeline.failure, event) == {"batchItemFailures": []}
    for item in pipeline.table.scan()["Items"]:
        if item["id"].startswith("failure#"):
            pipeline.table.delete_item(Key={"id": item["id"]})
    assert run(pipeline.failure, event) == {"batchItemFailures": []}
    writes = [
        c for c in pipeline.result_puts.calls if c["Key"] == "results/blueprints/poison.png.json"
    ]
    assert len(writes) == 1
    assert pipeline.retries.calls == []


def test_malformed_messages_are_reported_and_reach_the_dlq(pipeline: Pipeline) -> None:
    event = load_event("sqs_malformed.json")
    response = run(pipeline.trigger, event)
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == sorted(
        r["messageId"] for r in event["Records"]
    )

    # Through the real queue: kept for maxReceiveCount deliveries, then parked unchanged.
    bodies = [r["body"] for r in event["Records"]]
    for body in bodies:
        pipeline.sqs.send_message(QueueUrl=pipeline.uploads_url, MessageBody=body)
    drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger, rounds=6)
    assert sorted(queue_bodies(pipeline.sqs, pipeline.uploads_dlq_url)) == sorted(bodies)
    assert pipeline.invocations.calls == []


def test_partial_batch_failure_returns_only_the_failed_record(
    pipeline: Pipeline, sagemaker
) -> None:
    good = pipeline.upload("blueprints/good.png")["Records"][0]
    bad = load_event("sqs_malformed.json")["Records"][0]
    response = run(pipeline.trigger, {"Records": [good, bad]})
    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
    assert len(pipeline.invocations.calls) == 1

    # Same on the success side: a good notification and one that is not SNS at all.
    ok = sagemaker.succeed(pipeline.invocations.calls[0], success_document())["Records"][0]
    response = run(pipeline.success, {"Records": [ok, bad]})
    assert response == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
    assert pipeline.result("blueprints/good.png")["status"] == "succeeded"


def test_test_events_are_ignored(pipeline: Pipeline) -> None:
    s3_test = load_event("sqs_s3_test_event.json", blueprints_bucket=BLUEPRINTS)
    sm_test = load_event("sqs_sns_sagemaker_test_notification.json")
    assert run(pipeline.trigger, s3_test) == {"batchItemFailures": []}
    assert run(pipeline.success, sm_test) == {"batchItemFailures": []}
    assert run(pipeline.failure, sm_test) == {"batchItemFailures": []}
    assert pipeline.invocations.calls == []
    assert pipeline.result_puts.calls == []
    assert pipeline.s3.list_objects_v2(Bucket=RESULTS)["KeyCount"] == 0


@pytest.mark.parametrize(
    ("out", "error_type"),
    [
        (b"{not json", "InvalidOutputError"),
        (json.dumps({"status": "succeeded"}).encode(), "InvalidOutputError"),
    ],
)
def test_invalid_output_is_a_final_failure(
    pipeline: Pipeline, sagemaker, out: bytes, error_type: str
) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/odd.png"))
    [call] = pipeline.invocations.calls
    assert run(pipeline.success, sagemaker.succeed(call, out)) == {"batchItemFailures": []}
    result = pipeline.result("blueprints/odd.png")
    assert result["error"]["type"] == error_type
    assert pipeline.status(call["InferenceId"])["status"] == "FAILED"


def test_failed_results_document_becomes_a_failure(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/unreadable.png"))
    [call] = pipeline.invocations.calls
    doc = unreadable_plan_document()
    assert run(pipeline.success, sagemaker.succeed(call, doc)) == {"batchItemFailures": []}
    result = pipeline.result("blueprints/unreadable.png")
    assert result["status"] == "failed"
    assert result["error"]["type"] == "CorruptImageError"
    assert result["source"]["uri"] == f"s3://{BLUEPRINTS}/blueprints/unreadable.png"
    assert pipeline.status(call["InferenceId"])["status"] == "FAILED"


def test_missing_output_is_retried_by_sqs(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/late.png"))
    [call] = pipeline.invocations.calls
    event = sagemaker.succeed(call, success_document())
    pipeline.s3.delete_object(Bucket=RESULTS, Key=sagemaker.output_key(call))
    response = run(pipeline.success, event)
    assert response == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert pipeline.status(call["InferenceId"])["status"] == "SUBMITTED"


def test_https_output_location_is_read_as_given(pipeline: Pipeline) -> None:
    """The output location is a percent-encoded https:// URL: read it, never rebuild it."""
    key = "blueprints/site a/étage-2.png"
    event = pipeline.upload("blueprints/placeholder.png")  # any fixture; the key differs
    body = event["Records"][0]["body"].replace(
        "blueprints/placeholder.png", "blueprints/site+a/%C3%A9tage-2.png"
    )
    event["Records"][0]["body"] = body
    pipeline.s3.put_object(Bucket=BLUEPRINTS, Key=key, Body=PNG)
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    [call] = pipeline.invocations.calls
    # Where SageMaker chose to write (deliberately unlike our own naming).
    pipeline.s3.put_object(
        Bucket=RESULTS,
        Key="sagemaker-output/site a/étage-2.out",
        Body=json.dumps(success_document(rooms=4)).encode(),
    )
    notification = load_event(
        "sqs_sns_sagemaker_success_https.json",
        results_bucket=RESULTS,
        blueprints_bucket=BLUEPRINTS,
        inference_id=call["InferenceId"],
    )
    assert run(pipeline.success, notification) == {"batchItemFailures": []}
    result = pipeline.result(key)
    assert result["room_count"] == 4
    assert result["inference"]["output_location"].startswith(f"https://{RESULTS}.s3.")


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ('ClientError: Received client error (400) from model with message "bad"', "client"),
        ("ClientError: Received client error (415) from primary with message ...", "client"),
        ("ClientError: Received client error (429) from model. Throttled.", "transient"),
        ("ClientError: Received server error (500) from model. See the logs.", "transient"),
        ("ClientError: Received server error (0) from primary with message timed out", "transient"),
        ("Request expired: RequestTTLSeconds exceeded", "transient"),
        ("InvocationTimeout: the invocation timed out", "transient"),
        ("", "transient"),
        (None, "transient"),
    ],
)
def test_classify_failure(reason: str | None, kind: str) -> None:
    assert classify_failure(reason) == kind


def test_a_container_failure_document_that_is_not_retryable_is_final() -> None:
    reason = "ClientError: Received server error (500) from model."
    assert classify_failure(reason, {"type": "CorruptImageError", "retryable": False}) == "client"
    assert classify_failure(reason, {"type": "MemoryError", "retryable": True}) == "transient"


def test_success_fixture_parses_with_the_sns_sqs_envelope() -> None:
    event = load_event(
        "sqs_sns_sagemaker_success.json",
        input_location="s3://b/blueprints/a.png",
        output_location="https://res.s3.us-east-1.amazonaws.com/sagemaker-output/a.out",
        inference_id="0" * 32 + "-1",
    )
    note = notification_from_record(SageMakerRecord.model_validate(event["Records"][0]))
    assert isinstance(note, SageMakerInferenceResult)
    assert note.succeeded
    assert note.requestParameters.endpointName == "location-detector-test"
    assert note.responseParameters is not None
    assert note.responseParameters.outputLocation.startswith("https://")
    assert note.receivedTime is not None and note.eventTime > note.receivedTime


def test_error_fixture_carries_the_failure_reason() -> None:
    event = load_event(
        "sqs_sns_sagemaker_error.json",
        input_location="s3://b/k.png",
        inference_id="x-1",
        failure_reason="ClientError: Received server error (500) from model.",
    )
    note = notification_from_record(SageMakerRecord.model_validate(event["Records"][0]))
    assert note is not None and not note.succeeded
    assert note.failureReason == "ClientError: Received server error (500) from model."


def test_test_notification_is_recognised() -> None:
    event = load_event("sqs_sns_sagemaker_test_notification.json")
    assert notification_from_record(SageMakerRecord.model_validate(event["Records"][0])) is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"Type": "Notification"}),
        json.dumps(
            {
                "Type": "Notification",
                "MessageId": "m",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:t",
                "Message": json.dumps({"eventName": "Something"}),
                "Timestamp": "2026-11-24T04:31:02.118Z",
                "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            }
        ),
    ],
)
def test_malformed_notifications_raise(body: str) -> None:
    record = load_event("sqs_malformed.json")["Records"][0] | {"body": body}
    with pytest.raises(ValidationError):
        SageMakerRecord.model_validate(record)
