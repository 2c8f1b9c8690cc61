"""pipeline/batch.py: a failed record is logged, with its reason and SQS message id, first.

The handlers log through Powertools' Logger, whose records also reach the root logger, where
caplog sees them; each is rendered with the Logger's own JSON formatter, as CloudWatch gets it.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from lambda_harness import Pipeline, load_event, run

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


def failure_logs(caplog: pytest.LogCaptureFixture) -> dict[str, dict[str, Any]]:
    """The failed-record lines at WARNING or above, as JSON, by message id."""
    from pipeline.observability import logger

    rendered = [
        json.loads(logger.registered_formatter.format(r))
        for r in caplog.records
        if r.levelno >= logging.WARNING
    ]
    return {e["message_id"]: e for e in rendered if "message_id" in e}


def callback_record_with_message(message: dict[str, Any]) -> dict[str, Any]:
    """SageMaker's error notification in SNS in SQS, with SNS's message replaced."""
    record = copy.deepcopy(
        load_event(
            "sqs_sns_sagemaker_error.json",
            failure_reason="x",
            input_location="s3://b/k",
            inference_id="i",
        )["Records"][0]
    )
    envelope = json.loads(record["body"])
    envelope["Message"] = json.dumps(message)
    record["body"] = json.dumps(envelope)
    record["messageId"] = "0badc0de-0000-4000-8000-000000000001"
    return record


def test_trigger_logs_each_malformed_message_before_reporting_it(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    event = load_event("sqs_malformed.json")
    response = run(pipeline.trigger, event)

    ids = [r["messageId"] for r in event["Records"]]
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == sorted(ids)
    logged = failure_logs(caplog)
    assert sorted(logged) == sorted(ids)
    for message_id in ids:
        entry = logged[message_id]
        assert entry["level"] == "ERROR"
        assert entry["error_type"] == "ValidationError"
        assert "malformed message" in entry["message"]
        assert "correlation_id" not in entry  # no inference named yet
    assert "Invalid JSON" in logged[ids[0]]["reason"]
    # The reason names what the body is not: an S3 notification, a retry message, a test event.
    for model in ("S3Model", "RetryMessage", "S3TestEvent"):
        assert model in logged[ids[1]]["reason"]


@pytest.mark.parametrize("app", ["success", "failure"])
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("this is not JSON {", "Invalid JSON"),
        (None, "body.Message"),  # SNS envelope, message not SageMaker's
    ],
)
def test_callbacks_log_each_malformed_message_before_reporting_it(
    pipeline: Pipeline,
    caplog: pytest.LogCaptureFixture,
    app: str,
    body: str | None,
    reason: str,
) -> None:
    record = callback_record_with_message({"eventName": "InferenceResult", "hello": "world"})
    if body is not None:
        record["body"] = body
    response = run(getattr(pipeline, app), {"Records": [record]})

    assert response == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    entry = failure_logs(caplog)[record["messageId"]]
    assert entry["level"] == "ERROR"
    assert entry["error_type"] == "ValidationError"
    assert reason in entry["reason"]
