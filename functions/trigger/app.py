"""Trigger Lambda: S3 upload (or retry message) on the uploads queue -> InvokeEndpointAsync."""

from __future__ import annotations

from typing import Any

import boto3

from pipeline.batch import plan_log_keys, start_record
from pipeline.handler import SqsFunction, start, status_table
from pipeline.models import UploadsRecord
from pipeline.naming import inference_id
from pipeline.observability import logger, tracer
from pipeline.settings import TriggerSettings
from pipeline.trigger import (
    IDEMPOTENCY_KEY_JMESPATH,
    SubmitRequest,
    TriggerDeps,
    requests_from_record,
    submit_plan,
)

settings = start(TriggerSettings)
deps = TriggerDeps(
    settings=settings,
    s3=boto3.client("s3"),
    sagemaker_runtime=boto3.client("sagemaker-runtime"),
    sqs=boto3.client("sqs"),
    status=status_table(settings),
)
function = SqsFunction(settings, UploadsRecord, event_key_jmespath=IDEMPOTENCY_KEY_JMESPATH)


@function.idempotent(data_keyword_argument="request", key_prefix="trigger#submit")
def submit(request: SubmitRequest) -> dict[str, Any]:
    return submit_plan(request, deps)


@tracer.capture_method
def record_handler(record: UploadsRecord) -> None:
    start_record()
    for request in requests_from_record(record):
        plan = request.plan
        plan_log_keys(plan.bucket, plan.key, plan.plan_id)
        logger.set_correlation_id(inference_id(plan.plan_id, request.attempt))
        submit(request=request)


lambda_handler = function.lambda_handler(record_handler)
