"""pipeline/trigger.py: an upload becomes one inference of exactly the uploaded bytes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from lambda_harness import (
    BLUEPRINTS,
    ENDPOINT,
    PNG,
    RESULTS,
    Pipeline,
    drain,
    load_event,
    run,
    success_document,
)

from detector.results import validate_document
from pipeline.models import UploadsRecord
from pipeline.naming import PlanRef
from pipeline.trigger import requests_from_record, supported_params

# Ignored or duplicate messages legitimately flush no metrics.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


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
        "S3OutputPathExtension": plan_id,  # every upload's output apart
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
    assert inference["output_location"] == (
        f"s3://{RESULTS}/sagemaker-output/{plan_id}/test-001.out"
    )
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
    assert call["S3OutputPathExtension"].endswith("/" + call["InferenceId"][:-2])
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


def test_endpoint_unreachable_queues_a_retry_with_backoff_not_the_visibility_timeout(
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
    # The record is consumed; attempt 2 waits in the uploads queue (DelaySeconds, jittered).
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    [retry] = pipeline.retries.calls
    assert retry["QueueUrl"] == pipeline.uploads_url
    assert 0 <= retry["DelaySeconds"] <= 900
    body = json.loads(retry["MessageBody"])
    assert body["attempt"] == 2 and "ThrottlingException" in body["reason"]
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}  # a duplicate: nothing
    assert len(attempts) == 1
    assert drain(pipeline.sqs, pipeline.uploads_url, pipeline.trigger) == []
    assert len(attempts) == 2
    [call] = pipeline.invocations.calls
    assert call["InferenceId"].endswith("-2")
    item = pipeline.status(call["InferenceId"])
    assert item["status"] == "SUBMITTED" and int(item["attempts"]) == 2


def test_overwritten_key_each_upload_reads_its_own_version(pipeline: Pipeline) -> None:
    """The bucket is versioned: the trigger pins each uploaded version to an immutable key,
    so an overwrite before the first upload is processed cannot change what it describes."""
    pipeline.s3.put_bucket_versioning(
        Bucket=BLUEPRINTS, VersioningConfiguration={"Status": "Enabled"}
    )
    key = "blueprints/versioned.png"
    events, bodies = [], [PNG + b"first", PNG + b"second upload"]
    for body in bodies:  # the same key uploaded twice before the trigger runs
        event = pipeline.upload(key, body)
        version = pipeline.s3.head_object(Bucket=BLUEPRINTS, Key=key)["VersionId"]
        message = json.loads(event["Records"][0]["body"])
        message["Records"][0]["s3"]["object"]["versionId"] = version
        event["Records"][0]["body"] = json.dumps(message)
        events.append(event)
    for event in events:
        assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    first, second = pipeline.invocations.calls
    assert first["InferenceId"] != second["InferenceId"]
    assert first["S3OutputPathExtension"] != second["S3OutputPathExtension"]
    for call, body in zip((first, second), bodies, strict=True):
        pinned = call["InputLocation"].removeprefix(f"s3://{BLUEPRINTS}/")
        assert pinned.startswith("inputs/") and pinned.endswith("/versioned.png")
        read = pipeline.s3.get_object(Bucket=BLUEPRINTS, Key=pinned)["Body"].read()
        assert read == body
        item = pipeline.status(call["InferenceId"])
        assert item["key"] == key and item["input_location"] == call["InputLocation"]


def test_object_deleted_before_the_trigger_ran(pipeline: Pipeline) -> None:
    event = pipeline.upload("blueprints/gone.png")
    pipeline.s3.delete_object(Bucket=BLUEPRINTS, Key="blueprints/gone.png")
    assert run(pipeline.trigger, event) == {"batchItemFailures": []}
    assert pipeline.invocations.calls == []
    result = pipeline.result("blueprints/gone.png")
    assert result["error"]["type"] == "ObjectNotFound"


def test_s3_notification_keys_are_form_decoded() -> None:
    event = load_event("sqs_s3_object_created_encoded_key.json", blueprints_bucket="b", etag="e")
    [request] = requests_from_record(UploadsRecord.model_validate(event["Records"][0]))
    assert request.key == "blueprints/floor plans/étage 2 – plan #1.png"
    assert request.attempt == 1 and request.etag == "e" and request.version_id is None


def test_non_create_s3_events_are_ignored() -> None:
    event = load_event("sqs_s3_object_created.json", blueprints_bucket="b", key="k", etag="e")
    record = event["Records"][0]
    record["body"] = record["body"].replace("ObjectCreated:Put", "ObjectRemoved:Delete")
    assert requests_from_record(UploadsRecord.model_validate(record)) == []


def test_parameters_an_older_sdk_lacks_are_left_out() -> None:
    import boto3

    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    params = {"EndpointName": "e", "InputLocation": "s3://b/k", "Filename": "k.out"}
    assert supported_params(client, params) == params  # this botocore knows them all

    # The shape of a client whose (older) service model has no Filename.
    old_op = SimpleNamespace(input_shape=SimpleNamespace(members=["EndpointName", "InputLocation"]))
    old_client = SimpleNamespace(
        meta=SimpleNamespace(service_model=SimpleNamespace(operation_model=lambda _: old_op))
    )
    assert supported_params(old_client, params) == {
        "EndpointName": "e",
        "InputLocation": "s3://b/k",
    }
