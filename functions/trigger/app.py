"""Trigger Lambda: S3 upload (or retry message) on the uploads queue -> InvokeEndpointAsync."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext

from pipeline.batch import LoggingBatchProcessor, plan_log_keys, start_record
from pipeline.idempotency import idempotency_for
from pipeline.models import UploadsRecord
from pipeline.naming import inference_id
from pipeline.observability import configure, logger, metrics, tracer
from pipeline.settings import TriggerSettings, load_settings
from pipeline.status import StatusTable
from pipeline.trigger import (
    IDEMPOTENCY_KEY_JMESPATH,
    SubmitRequest,
    TriggerDeps,
    requests_from_record,
    submit_plan,
)

settings = load_settings(TriggerSettings)
configure(settings)
deps = TriggerDeps(
    settings=settings,
    s3=boto3.client("s3"),
    sagemaker_runtime=boto3.client("sagemaker-runtime"),
    sqs=boto3.client("sqs"),
    status=StatusTable(boto3.resource("dynamodb").Table(settings.table_name)),
)
persistence, idempotency = idempotency_for(settings, event_key_jmespath=IDEMPOTENCY_KEY_JMESPATH)
processor = LoggingBatchProcessor(model=UploadsRecord)


@idempotent_function(
    data_keyword_argument="request",
    persistence_store=persistence,
    config=idempotency,
    key_prefix="trigger#submit",
)
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


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
