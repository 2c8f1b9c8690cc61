"""The SQS batch processor every function uses: Powertools' `BatchProcessor` that says why.

Powertools reports a failed record in `batchItemFailures` but logs nothing an operator sees (one
line at DEBUG on its own stdlib logger), so a malformed message would reach the dead-letter queue
with no trace of the reason. Each failure is logged here, through the functions' Powertools
Logger, with the SQS message id, before it is reported.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.base import FailureResponse
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo

from .errors import MalformedMessageError, PipelineError
from .observability import logger


class LoggingBatchProcessor(BatchProcessor):
    """Partial batch responses for SQS, each failed record logged with its reason."""

    def __init__(self) -> None:
        super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def _process_record(self, record: dict[str, Any]) -> Any:
        # A record that fails before naming its inference must not carry the previous one's.
        logger.set_correlation_id(None)
        return super()._process_record(record)

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        error = exception[1]
        keys = {
            "message_id": getattr(record, "message_id", None),
            "error_type": type(error).__name__,
            "reason": str(error),
        }
        if isinstance(error, MalformedMessageError):
            # Redelivered until the queue's redrive policy parks it, unchanged, in the DLQ.
            logger.error("malformed message: record failed", extra=keys)
        elif isinstance(error, PipelineError):
            logger.warning("record failed", extra=keys)
        else:
            logger.warning("record failed", extra=keys, exc_info=exception)
        return super().failure_handler(record, exception)
