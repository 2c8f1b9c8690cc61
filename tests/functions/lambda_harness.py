"""Helpers for the Lambda tests: moto-backed AWS, the three handlers, and a stand-in SageMaker.

moto plays S3, SQS and DynamoDB for real (conditional writes, queue redrive, ...). Its
sagemaker-runtime accepts InvokeEndpointAsync but never runs a model, so `FakeSageMaker` does
what the endpoint would: write the `.out` and build the SNS notification from the fixtures in
`tests/events/`. Calls are recorded with a botocore event hook on the real client (a spy, not a
replacement).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"
REGION = "us-east-1"
BLUEPRINTS = "location-detector-test-blueprints"
RESULTS = "location-detector-test-results"
TABLE = "location-detector-test-status"
STATUS_INDEX = "status-deadline"
SOURCE_INDEX = "source-uploaded"
UPLOADS_QUEUE = "location-detector-test-uploads"
ENDPOINT = "location-detector-test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200  # the trigger only sniffs the header
NOW = datetime(2026, 11, 24, 4, 31, 5, tzinfo=UTC)


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Replace `{{name}}` in every string, also inside strings that are JSON themselves
    (an SQS body holding an SNS envelope holding SageMaker's message)."""
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if not isinstance(value, str) or "{{" not in value:
        return value
    if value.startswith("{") and not value.startswith("{{"):
        return json.dumps(_fill(json.loads(value), values), ensure_ascii=False)
    for key, text in values.items():
        value = value.replace("{{" + key + "}}", text)
    return value


def load_event(name: str, **values: Any) -> dict[str, Any]:
    """A fixture from tests/events with its `{{placeholders}}` filled in."""
    event = _fill(
        json.loads((EVENTS / name).read_text(encoding="utf-8")),
        {k: str(v) for k, v in values.items()},
    )
    assert "{{" not in json.dumps(event), f"unfilled placeholder in {name}"
    return event


@dataclass
class FakeContext:
    function_name: str = "location-detector-test-fn"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = (
        "arn:aws:lambda:us-east-1:123456789012:function:location-detector-test-fn"
    )
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _load_app(name: str) -> Any:
    """Import functions/<name>/app.py under a unique module name (all three are `app`)."""
    path = ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"lambda_{name}_app", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class CallSpy:
    """Records the parameters of every call of one operation on real boto3 clients."""

    def __init__(self, clients: Any, event: str) -> None:
        self.calls: list[dict[str, Any]] = []
        self._clients = clients if isinstance(clients, list) else [clients]
        self._event = event
        for client in self._clients:
            client.meta.events.register(event, self._record)

    def close(self) -> None:
        for client in self._clients:
            client.meta.events.unregister(self._event, self._record)

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        self.calls.append(dict(params))


class SageMakerLocations:
    """Makes moto's InvokeEndpointAsync answer with the locations SageMaker would give.

    moto writes a placeholder to a random bucket and returns that; SageMaker returns
    `<S3OutputPath>/<S3OutputPathExtension>/<Filename>` (and the failure path likewise).
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._last: dict[str, Any] = {}
        client.meta.events.register(
            "provide-client-params.sagemaker-runtime.InvokeEndpointAsync", self._params
        )
        client.meta.events.register("after-call.sagemaker-runtime.InvokeEndpointAsync", self._fix)

    def close(self) -> None:
        events = self._client.meta.events
        events.unregister(
            "provide-client-params.sagemaker-runtime.InvokeEndpointAsync", self._params
        )
        events.unregister("after-call.sagemaker-runtime.InvokeEndpointAsync", self._fix)

    def _params(self, params: dict[str, Any], **_: Any) -> None:
        self._last = dict(params)

    def _fix(self, parsed: dict[str, Any], **_: Any) -> None:
        ext = self._last.get("S3OutputPathExtension")
        name = self._last.get("Filename") or f"{self._last.get('InferenceId')}.out"
        folder = f"{ext}/" if ext else ""
        parsed["OutputLocation"] = f"s3://{RESULTS}/sagemaker-output/{folder}{name}"
        stem = name.rsplit(".", 1)[0]
        parsed["FailureLocation"] = f"s3://{RESULTS}/sagemaker-failures/{folder}{stem}-error.out"


@dataclass
class Pipeline:
    s3: Any
    sqs: Any
    table: Any
    uploads_url: str
    uploads_dlq_url: str
    errors_url: str
    errors_dlq_url: str
    trigger: Any
    success: Any
    failure: Any
    reconciler: Any
    invocations: CallSpy
    retries: CallSpy
    result_puts: CallSpy

    # --- helpers the tests read like a story with ---
    def upload(self, key: str, body: bytes = PNG) -> dict[str, Any]:
        """Put a plan and return the S3 notification (in SQS) for it."""
        head = self.s3.put_object(Bucket=BLUEPRINTS, Key=key, Body=body)
        assert key.isascii(), "use the encoded-key fixture for other keys"
        return load_event(
            "sqs_s3_object_created.json",
            blueprints_bucket=BLUEPRINTS,
            key=key.replace(" ", "+"),
            etag=head["ETag"].strip('"'),
        )

    def status(self, inference_id: str) -> dict[str, Any]:
        plan_id = inference_id.rpartition("-")[0]
        return self.table.get_item(Key={"id": f"plan#{plan_id}"})["Item"]

    def result(self, plan_key: str) -> dict[str, Any]:
        body = self.s3.get_object(Bucket=RESULTS, Key=f"results/{plan_key}.json")["Body"]
        return json.loads(body.read())


def run(app: Any, event: dict[str, Any]) -> dict[str, Any]:
    return app.lambda_handler(event, FakeContext())


class FakeSageMaker:
    """What the async endpoint does after InvokeEndpointAsync: write `.out`, notify SNS."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.p = pipeline

    def output_key(self, call: dict[str, Any]) -> str:
        return f"sagemaker-output/{call['S3OutputPathExtension']}/{call['Filename']}"

    def succeed(
        self, call: dict[str, Any], document: dict[str, Any] | bytes, *, https: bool = False
    ) -> dict[str, Any]:
        key = self.output_key(call)
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.p.s3.put_object(Bucket=RESULTS, Key=key, Body=body)
        location = (
            f"https://{RESULTS}.s3.{REGION}.amazonaws.com/{key}"
            if https
            else f"s3://{RESULTS}/{key}"
        )
        return load_event(
            "sqs_sns_sagemaker_success.json",
            input_location=call["InputLocation"],
            output_location=location,
            inference_id=call["InferenceId"],
        )

    def fail(
        self, call: dict[str, Any], reason: str, error_document: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The error notification; with the container's own failure document stored where
        SageMaker puts the error response (`responseParameters.failureLocation`)."""
        event = load_event(
            "sqs_sns_sagemaker_error.json",
            input_location=call["InputLocation"],
            inference_id=call["InferenceId"],
            failure_reason=reason,
        )
        if error_document is not None:
            key = f"sagemaker-failures/{call['Filename']}-{call['InferenceId']}-error.out"
            self.p.s3.put_object(Bucket=RESULTS, Key=key, Body=json.dumps(error_document))
            record = event["Records"][0]
            envelope = json.loads(record["body"])
            message = json.loads(envelope["Message"])
            message["responseParameters"] = {
                "contentType": "application/json",
                "failureLocation": f"s3://{RESULTS}/{key}",
            }
            envelope["Message"] = json.dumps(message)
            record["body"] = json.dumps(envelope)
        return event


def success_document(rooms: int = 2) -> dict[str, Any]:
    """What the container's output_fn returns for a plan (built with the shared module)."""
    from detector.results import Page, Room, Source
    from detector.results import success_document as build

    room_list = [
        Room(
            id=f"r{i}",
            polygon=[[0, 0], [10, 0], [10, 10], [0, 10]],
            bbox=[0, 0, 10, 10],
            area_px=100.0,
            area_fraction=0.01,
            centroid=[5.0, 5.0],
            perimeter_px=40.0,
            confidence=0.9,
        )
        for i in range(rooms)
    ]
    return build(
        source=Source.from_bytes(PNG, name="input", content_type="image/png"),
        pages=[Page(index=0, width=100, height=100, rooms=room_list)],
        detector_name="opencv-room-detector",
        detector_version="0.1.0",
        timings_ms={"decode": 1.0, "detect": 2.0, "total": 3.0},
    )


def unreadable_plan_document() -> dict[str, Any]:
    """What the container returns for a plan it cannot decode: a final client error."""
    from detector.results import Source, failure_document

    return failure_document(
        source=Source(name="input"),
        error_type="CorruptImageError",
        message="truncated PNG",
        retryable=False,
        detector_name="opencv-room-detector",
        detector_version="0.1.0",
    )


def create_table(ddb: Any) -> Any:
    """The status table as Terraform's table module makes it (keys and both indexes)."""
    return ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("id", "status", "deadline_at", "source_uri", "uploaded_at")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": STATUS_INDEX,
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "deadline_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": SOURCE_INDEX,
                "KeySchema": [
                    {"AttributeName": "source_uri", "KeyType": "HASH"},
                    {"AttributeName": "uploaded_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _make_queue(sqs: Any, name: str, max_receive: int) -> tuple[str, str]:
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive)}
            )
        },
    )["QueueUrl"]
    return url, dlq


def drain(sqs: Any, queue_url: str, app: Any, rounds: int = 5) -> list[str]:
    """Play Lambda's SQS event source mapping with ReportBatchItemFailures for a few rounds.

    Receives, invokes the handler, deletes what succeeded, and leaves the failed messages for
    redelivery (and, after maxReceiveCount, SQS's redrive to the dead-letter queue).
    Returns the ids reported as failures, round after round.
    """
    failed: list[str] = []
    for _ in range(rounds):
        got = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            break
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:q",
                    "awsRegion": REGION,
                }
                for m in got
            ]
        }
        response = run(app, event)
        bad = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        failed.extend(sorted(bad))
        for m in got:
            if m["MessageId"] not in bad:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return failed


def queue_bodies(sqs: Any, queue_url: str) -> list[str]:
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return [m["Body"] for m in got.get("Messages", [])]
