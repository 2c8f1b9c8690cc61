"""The SQS batch processor every function uses: Powertools' `BatchProcessor` that says why.

Records are parsed by the processor with a Powertools parser model (`models.UploadsRecord`,
`models.SageMakerRecord`): a record that does not validate fails without reaching the handler.
Powertools reports a failed record in `batchItemFailures` but logs nothing an operator sees (one
line at DEBUG on its own stdlib logger), so a malformed message would reach the dead-letter queue
with no trace of the reason. Each failure is logged here, through the public `failure_handler`
hook, with the SQS message id and, once the record named its plan, the plan's S3 key.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.base import FailureResponse
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo
from pydantic import BaseModel, ValidationError

from .errors import MalformedMessageError, PipelineError
from .observability import logger

# Keys `plan_log_keys` adds for one record; cleared before the next record.
PLAN_KEYS = ("plan_uri", "s3_key", "s3_bucket", "plan_id")


def start_record() -> None:
    """Forget the previous record's plan and inference (call first in each record handler)."""
    logger.set_correlation_id(None)
    logger.remove_keys(list(PLAN_KEYS))


def plan_log_keys(bucket: str, key: str, plan_id: str) -> None:
    """Every later log line of this record carries the plan's S3 key: grep a key, find it."""
    logger.append_keys(
        plan_uri=f"s3://{bucket}/{key}", s3_key=key, s3_bucket=bucket, plan_id=plan_id
    )


class LoggingBatchProcessor(BatchProcessor):
    """Partial batch responses for SQS records parsed by `model`, each failure logged."""

    def __init__(self, model: type[BaseModel]) -> None:
        super().__init__(event_type=EventType.SQS, model=model, raise_on_entire_batch_failure=False)

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        error = exception[1]
        keys = {
            "message_id": getattr(record, "message_id", None) or getattr(record, "messageId", None),
            "error_type": type(error).__name__,
            "reason": str(error)[:2000],
        }
        if isinstance(error, MalformedMessageError | ValidationError):
            # Redelivered until the queue's redrive policy parks it, unchanged, in the DLQ.
            logger.error("malformed message: record failed", extra=keys)
        elif isinstance(error, PipelineError):
            logger.warning("record failed", extra=keys)
        else:
            logger.warning("record failed", extra=keys, exc_info=exception)
        return super().failure_handler(record, exception)
