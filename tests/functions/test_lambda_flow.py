"""The three Lambdas end to end on moto: upload -> trigger -> (fake) SageMaker -> callbacks."""

from __future__ import annotations

import json

import pytest
from lambda_harness import (
    BLUEPRINTS,
    ENDPOINT,
    PNG,
    RESULTS,
    Pipeline,
    drain,
    load_event,
    queue_bodies,
    run,
    success_document,
)

from detector.results import validate_document
from pipeline.naming import PlanRef

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


def test_happy_path(pipeline: Pipeline, sagemaker, capsys: pytest.CaptureFixture[str]) -> None:
    event = pipeline.upload("blueprints/test-001.png")
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}

    # One async inference, named after the plan, with the configured limits.
    [call] = pipeline.invocations.calls
    etag = pipeline.s3.head_object(Bucket=BLUEPRINTS, Key="blueprints/test-001.png")["ETag"]
    plan_id = PlanRef(BLUEPRINTS, "blueprints/test-001.png", None, etag).plan_id
    assert call == {
        "EndpointName": ENDPOINT,
        "InputLocation": f"s3://{BLUEPRINTS}/blueprints/test-001.png",
        "ContentType": "image/png",
        "InferenceId": f"{plan_id}-1",
        "RequestTTLSeconds": 3600,
        "InvocationTimeoutSeconds": 600,
        "Filename": "test-001.out",
    }
    assert pipeline.status(call["InferenceId"])["status"] == "SUBMITTED"

    notification = sagemaker.succeed(call, success_document(rooms=3))
    assert run(pipeline.success, notification) == {"batchItemFailures": []}

    result = pipeline.result("blueprints/test-001.png")
    validate_document(result)
    assert result["status"] == "succeeded"
    assert result["room_count"] == 3
    assert result["source"]["uri"] == f"s3://{BLUEPRINTS}/blueprints/test-001.png"
    assert result["source"]["name"] == "test-001.png"
    inference = result["inference"]
    assert inference["inference_id"] == call["InferenceId"]
    assert inference["output_location"] == f"s3://{RESULTS}/sagemaker-output/test-001.out"
    assert inference["attempts"] == 1
    # Upload 04:30:00.000, SageMaker received 04:30:09.588, finished 04:31:01.814, now 04:31:05.
    assert inference["timings_s"] == {"queued": 9.588, "processing": 52.226, "end_to_end": 65.0}

    item = pipeline.status(call["InferenceId"])
    assert item["status"] == "COMPLETED"
    assert item["result_uri"] == f"s3://{RESULTS}/results/blueprints/test-001.png.json"
    assert int(item["room_count"]) == 3

    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    emitted = {
        m["Name"] for blob in metrics for m in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert {"PlansSubmitted", "PlansCompleted", "RoomsDetected", "EndToEndSeconds"} <= emitted


def test_folders_and_encoded_unicode_keys(pipeline: Pipeline, sagemaker) -> None:
    key = "blueprints/floor plans/étage 2 – plan #1.png"
    head = pipeline.s3.put_object(Bucket=BLUEPRINTS, Key=key, Body=PNG)
    event = load_event(
        "sqs_s3_object_created_encoded_key.json",
        blueprints_bucket=BLUEPRINTS,
        etag=head["ETag"].strip('"'),
    )
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    [call] = pipeline.invocations.calls
    # The folder goes into the output path so plans in different folders never collide;
    # names the API refuses are made safe and tagged with a hash of the original.
    assert call["S3OutputPathExtension"].startswith("floor_plans-")
    assert call["Filename"].startswith("tage_2___plan__1-")
    assert call["Filename"].endswith(".out")
    assert len(call["Filename"]) <= 32 and call["Filename"].count(".") == 1
    assert call["InputLocation"].startswith(f"s3://{BLUEPRINTS}/blueprints/floor plans/")

    assert run(pipeline.success, sagemaker.succeed(call, success_document(), https=True)) == {
        "batchItemFailures": []
    }
    result = pipeline.result(key)
    assert result["source"]["uri"] == f"s3://{BLUEPRINTS}/{key}"
    assert result["source"]["name"] == "étage 2 – plan #1.png"


def test_duplicate_delivery_invokes_once_and_writes_once(pipeline: Pipeline, sagemaker) -> None:
    event = pipeline.upload("blueprints/dup.png")
    run(pipeline.trigger, event)
    run(pipeline.trigger, event)  # SQS delivers at least once
    assert len(pipeline.invocations.calls) == 1

    notification = sagemaker.succeed(pipeline.invocations.calls[0], success_document())
    assert run(pipeline.success, notification) == {"batchItemFailures": []}
    assert run(pipeline.success, notification) == {"batchItemFailures": []}
    result_puts = [c for c in pipeline.result_puts.calls if c["Key"].startswith("results/")]
    assert len(result_puts) == 1


@pytest.mark.parametrize(
    ("key", "body", "error_type"),
    [
        ("blueprints/notes.txt", b"just some text, not a plan", "UnsupportedFormatError"),
        ("blueprints/broken.png", b"GIF89a" + b"\x00" * 64, "UnsupportedFormatError"),
        ("blueprints/empty.png", b"", "EmptyInputError"),
        ("blueprints/huge.png", PNG + b"\x00" * 1_000_000, "ObjectTooLargeError"),
    ],
)
def test_bad_object_is_final_without_invocation(
    pipeline: Pipeline, key: str, body: bytes, error_type: str
) -> None:
    assert run(pipeline.trigger, pipeline.upload(key, body)) == {"batchItemFailures": []}
    assert pipeline.invocations.calls == []
    result = pipeline.result(key)
    validate_document(result)
    assert result["status"] == "failed"
    assert result["error"]["type"] == error_type
    assert result["error"]["retryable"] is False
    assert result["source"]["uri"] == f"s3://{BLUEPRINTS}/{key}"
    [item] = [i for i in pipeline.table.scan()["Items"] if i.get("kind") == "plan"]
    assert item["status"] == "FAILED"
    assert item["error_type"] == error_type


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


def test_retries_exhausted_fail_and_keep_the_message(pipeline: Pipeline, sagemaker) -> None:
    run(pipeline.trigger, pipeline.upload("blueprints/doomed.png"))
    for _ in range(2):  # attempts 1 and 2 fail transiently and are re-queued
        call = pipeline.invocations.calls[-1]
        assert run(pipeline.failure, sagemaker.fail(call, SERVER_ERROR)) == {
            "batchItemFailures": []
        }
        assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    last = pipeline.invocations.calls[-1]
    assert last["InferenceId"].endswith("-3")

    # Attempt 3 = MAX_ATTEMPTS: the error message goes through the real failure queue.
    error_event = sagemaker.fail(last, SERVER_ERROR)
    pipeline.sqs.send_message(
        QueueUrl=pipeline.errors_url, MessageBody=error_event["Records"][0]["body"]
    )
    failed = drain(pipeline.sqs, pipeline.errors_url, pipeline.failure)
    assert len(failed) == 2  # reported failed on each delivery, maxReceiveCount = 2
    assert len(pipeline.retries.calls) == 2  # no third re-queue
    assert queue_bodies(pipeline.sqs, pipeline.errors_dlq_url) == [
        error_event["Records"][0]["body"]
    ]

    item = pipeline.status(last["InferenceId"])
    assert item["status"] == "FAILED"
    assert item["error_type"] == "RetriesExhausted"
    result = pipeline.result("blueprints/doomed.png")
    assert result["status"] == "failed"
    assert result["error"]["type"] == "RetriesExhausted"
    assert result["error"]["retryable"] is True


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
    from detector.results import Source, failure_document

    run(pipeline.trigger, pipeline.upload("blueprints/unreadable.png"))
    [call] = pipeline.invocations.calls
    doc = failure_document(
        source=Source(name="input"),
        error_type="CorruptImageError",
        message="truncated PNG",
        retryable=False,
        detector_name="opencv-room-detector",
        detector_version="0.1.0",
    )
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


def test_endpoint_throttling_fails_the_record_and_the_redelivery_invokes_once(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto cannot throttle: make the first InvokeEndpointAsync raise as SageMaker would.
    from botocore.exceptions import ClientError

    client = pipeline.trigger.deps.sagemaker_runtime
    real = client.invoke_endpoint_async
    attempts: list[int] = []

    def throttled_once(**params: object) -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}},
                "InvokeEndpointAsync",
            )
        return real(**params)

    monkeypatch.setattr(client, "invoke_endpoint_async", throttled_once)
    event = pipeline.upload("blueprints/busy.png")
    message_id = event["Records"][0]["messageId"]
    assert run(pipeline.trigger, event) == {"batchItemFailures": [{"itemIdentifier": message_id}]}
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}  # SQS redelivers
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}  # a duplicate on top
    assert len(attempts) == 2
    [call] = pipeline.invocations.calls
    assert pipeline.status(call["InferenceId"])["status"] == "SUBMITTED"


def test_versioned_bucket_each_version_is_its_own_plan(pipeline: Pipeline) -> None:
    pipeline.s3.put_bucket_versioning(
        Bucket=BLUEPRINTS, VersioningConfiguration={"Status": "Enabled"}
    )
    events = []
    for _ in range(2):  # the same key uploaded twice
        event = pipeline.upload("blueprints/versioned.png")
        version = pipeline.s3.head_object(Bucket=BLUEPRINTS, Key="blueprints/versioned.png")[
            "VersionId"
        ]
        body = json.loads(event["Records"][0]["body"])
        body["Records"][0]["s3"]["object"]["versionId"] = version
        event["Records"][0]["body"] = json.dumps(body)
        events.append(event)
    for event in events:
        assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    first, second = pipeline.invocations.calls
    assert first["InferenceId"] != second["InferenceId"]
    assert first["Filename"] == second["Filename"] == "versioned.out"


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


def test_object_deleted_before_the_trigger_ran(pipeline: Pipeline) -> None:
    event = pipeline.upload("blueprints/gone.png")
    pipeline.s3.delete_object(Bucket=BLUEPRINTS, Key="blueprints/gone.png")
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    assert pipeline.invocations.calls == []
    result = pipeline.result("blueprints/gone.png")
    assert result["error"]["type"] == "ObjectNotFound"
