"""Success Lambda: SageMaker's success notification (SNS -> SQS) -> results/<plan key>.json."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext

from pipeline.batch import LoggingBatchProcessor, start_record
from pipeline.callbacks import SuccessDeps, handle_success, notification_from_record
from pipeline.idempotency import idempotency_for
from pipeline.models import SageMakerInferenceResult, SageMakerRecord
from pipeline.observability import configure, logger, metrics, tracer
from pipeline.settings import SuccessSettings, load_settings
from pipeline.status import StatusTable

settings = load_settings(SuccessSettings)
configure(settings)
deps = SuccessDeps(
    settings=settings,
    s3=boto3.client("s3"),
    status=StatusTable(boto3.resource("dynamodb").Table(settings.table_name)),
)
persistence, idempotency = idempotency_for(settings, event_key_jmespath="inferenceId")
processor = LoggingBatchProcessor(model=SageMakerRecord)


@idempotent_function(
    data_keyword_argument="notification",
    persistence_store=persistence,
    config=idempotency,
    key_prefix="success#result",
)
def on_success(notification: SageMakerInferenceResult) -> dict[str, Any]:
    return handle_success(notification, deps)


@tracer.capture_method
def record_handler(record: SageMakerRecord) -> None:
    start_record()
    notification = notification_from_record(record)
    if notification is not None:
        logger.set_correlation_id(notification.inferenceId)
        on_success(notification=notification)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
