"""The pipeline package's plain functions: naming, settings, classification, parsing."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from lambda_harness import load_event

from pipeline.callbacks import classify_failure, notification_from_record, retry_delay_seconds
from pipeline.errors import MalformedMessageError, SettingsError
from pipeline.models import SageMakerInferenceResult
from pipeline.naming import (
    PlanRef,
    inference_id,
    input_location,
    output_filename,
    output_path_extension,
    parse_s3_url,
    result_key,
    split_inference_id,
)
from pipeline.settings import FailureSettings, TriggerSettings, load_settings
from pipeline.trigger import requests_from_body, supported_params

FILENAME = re.compile(r"^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9\-_.]*$")  # the API's pattern
EXTENSION = re.compile(r"^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$")


# --- names ---------------------------------------------------------------------------------


def test_output_named_after_the_plan_as_the_readme_shows() -> None:
    assert output_filename("blueprints/test-001.png") == "test-001.out"
    assert output_path_extension("blueprints/test-001.png", "blueprints/") is None
    assert output_path_extension("blueprints/site-a/level_2/test-001.png", "blueprints/") == (
        "site-a/level_2"
    )


@pytest.mark.parametrize(
    "key",
    [
        "blueprints/plan with spaces.png",
        "blueprints/étage – 2.pdf",
        "blueprints/plan.v2.final.tiff",
        "blueprints/_hidden.png",
        "blueprints/.png",
        "blueprints/" + "x" * 200 + ".png",
        "blueprints/日本/図面.jpg",
    ],
)
def test_output_names_always_satisfy_the_api(key: str) -> None:
    name = output_filename(key)
    assert len(name) <= 32 and FILENAME.match(name), name
    ext = output_path_extension(key, "blueprints/")
    assert ext is None or (len(ext) <= 512 and EXTENSION.match(ext)), ext


def test_plans_in_different_folders_or_with_unsafe_names_never_collide() -> None:
    keys = [
        "blueprints/a/plan.png",
        "blueprints/b/plan.png",
        "blueprints/a b/plan.png",
        "blueprints/a_b/plan.png",
        "blueprints/plan 1.png",
        "blueprints/plan_1.png",
        "blueprints/plan-1.png",
    ]
    outputs = {(output_path_extension(k, "blueprints/"), output_filename(k)) for k in keys}
    assert len(outputs) == len(keys)


def test_inference_ids_are_deterministic_and_reversible() -> None:
    plan = PlanRef("bucket", "blueprints/a.png", None, '"abc"')
    assert plan.plan_id == PlanRef("bucket", "blueprints/a.png", None, "abc").plan_id
    assert plan.plan_id != PlanRef("bucket", "blueprints/a.png", None, "abd").plan_id
    assert plan.plan_id != PlanRef("bucket", "blueprints/a.png", "v1", "abc").plan_id
    iid = inference_id(plan.plan_id, 3)
    assert len(iid) <= 64
    assert split_inference_id(iid) == (plan.plan_id, 3)
    with pytest.raises(MalformedMessageError):
        split_inference_id("8a80ed4e-1ff9-4c2b-bf16-31bdd5d17835")  # SageMaker's own uuid


def test_input_location_and_result_key() -> None:
    assert input_location(PlanRef("b", "blueprints/a b.png")) == "s3://b/blueprints/a b.png"
    assert input_location(PlanRef("b", "blueprints/é.png")) == "s3://b/blueprints/%C3%A9.png"
    assert result_key("blueprints/x/test-001.png", "results/") == (
        "results/blueprints/x/test-001.png.json"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://res/sagemaker-output/a b/x.out", ("res", "sagemaker-output/a b/x.out")),
        ("s3://res/sagemaker-output/x#1?.out", ("res", "sagemaker-output/x#1?.out")),
        ("https://res.s3.eu-west-1.amazonaws.com/out/a%20b.out", ("res", "out/a b.out")),
        ("https://res.s3.amazonaws.com/out/x.out", ("res", "out/x.out")),
        (
            "https://my.dotted.bucket.s3-us-west-2.amazonaws.com/o/x.out",
            ("my.dotted.bucket", "o/x.out"),
        ),
        ("https://s3.us-east-1.amazonaws.com/res/out/%C3%A9.out", ("res", "out/é.out")),
        ("https://s3.amazonaws.com/res/out/x.out", ("res", "out/x.out")),
        ("https://localhost:4566/res/out/x.out", ("res", "out/x.out")),
        ("http://127.0.0.1:5000/res/out/a%20b.out", ("res", "out/a b.out")),
    ],
)
def test_parse_s3_url(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://res.s3.amazonaws.com/x",
        "http://s3.us-east-1.amazonaws.com/res/x",
        "https://example.com/x",
        "s3://bucket",
        "ftp://a/b",
    ],
)
def test_parse_s3_url_refuses_other_urls(url: str) -> None:
    with pytest.raises(MalformedMessageError):
        parse_s3_url(url)


# --- settings ------------------------------------------------------------------------------

BASE = {"TABLE_NAME": "tbl", "RESULTS_BUCKET": "results-bucket"}


def test_settings_defaults_and_validation() -> None:
    s = load_settings(TriggerSettings, {**BASE, "ENDPOINT_NAME": "ep-1", "LOG_LEVEL": ""})
    assert (s.output_prefix, s.request_ttl_seconds, s.invocation_timeout_seconds) == (
        "sagemaker-output/",
        21_600,
        900,
    )
    assert s.metrics_namespace == "LocationDetector"
    with pytest.raises(SettingsError, match="ENDPOINT_NAME: missing"):
        load_settings(TriggerSettings, BASE)
    with pytest.raises(SettingsError, match="REQUEST_TTL_SECONDS"):
        load_settings(TriggerSettings, {**BASE, "ENDPOINT_NAME": "e", "REQUEST_TTL_SECONDS": "5"})
    with pytest.raises(SettingsError, match="RETRY_QUEUE_URL: missing"):
        load_settings(FailureSettings, BASE)
    with pytest.raises(SettingsError, match="MAX_ATTEMPTS"):
        load_settings(
            FailureSettings, {**BASE, "RETRY_QUEUE_URL": "https://q/1", "MAX_ATTEMPTS": "zero"}
        )


# --- failure classification and backoff -----------------------------------------------------


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


def test_backoff_is_exponential_and_capped_at_sqs_maximum() -> None:
    assert [retry_delay_seconds(a, 30) for a in (1, 2, 3, 4, 5, 6)] == [30, 60, 120, 240, 480, 900]
    assert retry_delay_seconds(1, 0) == 0


# --- message parsing -------------------------------------------------------------------------


def test_success_fixture_parses_with_the_sns_sqs_envelope() -> None:
    event = load_event(
        "sqs_sns_sagemaker_success.json",
        input_location="s3://b/blueprints/a.png",
        output_location="https://res.s3.us-east-1.amazonaws.com/sagemaker-output/a.out",
        inference_id="0" * 32 + "-1",
    )
    note = notification_from_record(event["Records"][0])
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
    note = notification_from_record(event["Records"][0])
    assert note is not None and not note.succeeded
    assert note.failureReason == "ClientError: Received server error (500) from model."


def test_test_notification_is_recognised() -> None:
    event = load_event("sqs_sns_sagemaker_test_notification.json")
    assert notification_from_record(event["Records"][0]) is None


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
    with pytest.raises(MalformedMessageError):
        notification_from_record(record)


def test_s3_notification_keys_are_form_decoded() -> None:
    event = load_event("sqs_s3_object_created_encoded_key.json", blueprints_bucket="b", etag="e")
    [request] = requests_from_body(event["Records"][0]["body"])
    assert request.key == "blueprints/floor plans/étage 2 – plan #1.png"
    assert request.attempt == 1 and request.etag == "e" and request.version_id is None


def test_non_create_s3_events_are_ignored() -> None:
    event = load_event("sqs_s3_object_created.json", blueprints_bucket="b", key="k", etag="e")
    body = event["Records"][0]["body"].replace("ObjectCreated:Put", "ObjectRemoved:Delete")
    assert requests_from_body(body) == []


# --- one source of truth checks --------------------------------------------------------------


def test_pipeline_detector_name_is_the_detectors() -> None:
    from detector.opencv_detector import OpenCVDetector
    from pipeline.documents import DETECTOR_NAME

    assert OpenCVDetector.name == DETECTOR_NAME


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
