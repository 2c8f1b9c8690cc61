"""How every function's `app.py` starts and answers Lambda, written once.

At import (a cold start) an app calls `start` for its validated settings and opens the shared
status table with `status_table`; its Lambda entry point is `entry_point` (Powertools' context
logging, tracing and metrics flush) around its logic. The SQS-fed functions get the rest from
`SqsFunction`: the batch processor for their record model, idempotency keyed by what makes a
message a duplicate, and the partial batch response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.idempotency import idempotent_function
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from .batch import LoggingBatchProcessor, start_record
from .callbacks import notification_from_record
from .idempotency import idempotency_for
from .models import SageMakerInferenceResult, SageMakerRecord
from .observability import configure, logger, metrics, tracer
from .settings import CommonSettings, load_settings
from .status import StatusTable

S = TypeVar("S", bound=CommonSettings)
LambdaHandler = Callable[[dict[str, Any], LambdaContext], Any]
Handle = Callable[[SageMakerInferenceResult], dict[str, Any]]

# One idempotency record per inference id and outcome, whoever handles it: the success or
# failure function, or the reconciler finishing a plan whose notification it did not see.
SUCCESS_KEY_PREFIX = "success#result"
FAILURE_KEY_PREFIX = "failure#error"


def start(settings_type: type[S]) -> S:
    """The function's settings, read from the environment and validated once, with logging and
    metrics set up from them."""
    settings = load_settings(settings_type)
    configure(settings)
    return settings


def status_table(settings: CommonSettings, status_index: str | None = None) -> StatusTable:
    return StatusTable(boto3.resource("dynamodb").Table(settings.table_name), status_index)


def entry_point(handler: LambdaHandler) -> LambdaHandler:
    """`handler` as Lambda calls it: log keys from the context (cleared between invocations),
    a traced invocation, and the metrics flushed at the end."""
    handler = metrics.log_metrics(handler)
    handler = tracer.capture_lambda_handler(handler)
    return logger.inject_lambda_context(handler, clear_state=True)


class SqsFunction:
    """A function fed by an SQS event source mapping with ReportBatchItemFailures.

    Records are parsed with `model`; the function's step with side effects is made idempotent
    on the key `event_key_jmespath` selects from its argument.
    """

    def __init__(
        self, settings: CommonSettings, model: type[BaseModel], event_key_jmespath: str
    ) -> None:
        self._persistence, self._idempotency = idempotency_for(settings, event_key_jmespath)
        self._processor = LoggingBatchProcessor(model=model)

    def idempotent(self, data_keyword_argument: str, key_prefix: str) -> Callable[..., Any]:
        """Decorator: the step runs once per key; a repeat returns what the first run did."""
        return idempotent_function(
            data_keyword_argument=data_keyword_argument,
            persistence_store=self._persistence,
            config=self._idempotency,
            key_prefix=key_prefix,
        )

    def lambda_handler(self, record_handler: Callable[[Any], None]) -> LambdaHandler:
        """The entry point: each record to `record_handler`, the failed ones reported to SQS."""

        @entry_point
        def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            # In-progress records expire at this invocation's time limit: a redelivery after a
            # timeout runs the step again instead of being refused as still in progress.
            self._idempotency.register_lambda_context(context)
            return process_partial_response(
                event=event,
                record_handler=record_handler,
                processor=self._processor,
                context=context,
            )

        return lambda_handler


class OncePerInference:
    """`handle` run at most once per inference id (under `key_prefix`), by any function: a
    second caller gets the first one's outcome, or `IdempotencyAlreadyInProgressError` while
    it runs. So the reconciler and a late notification never both write a plan's document."""

    def __init__(self, settings: CommonSettings, handle: Handle, key_prefix: str) -> None:
        persistence, self._config = idempotency_for(settings, "inferenceId")
        self._run = idempotent_function(
            data_keyword_argument="notification",
            persistence_store=persistence,
            config=self._config,
            key_prefix=key_prefix,
        )(lambda notification: handle(notification))

    def register_lambda_context(self, context: LambdaContext) -> None:
        """In-progress records expire at this invocation's time limit (a crash mid-way does not
        lock the inference out until the records' TTL)."""
        self._config.register_lambda_context(context)

    def __call__(self, notification: SageMakerInferenceResult) -> dict[str, Any]:
        return self._run(notification=notification)  # type: ignore[no-any-return]


def notification_lambda_handler(
    settings: CommonSettings, handle: Handle, key_prefix: str
) -> LambdaHandler:
    """The entry point of a function fed SageMaker's notifications (SNS -> SQS): `handle` runs
    once per inference id; test notifications are counted and skipped."""
    function = SqsFunction(settings, SageMakerRecord, event_key_jmespath="inferenceId")

    @function.idempotent(data_keyword_argument="notification", key_prefix=key_prefix)
    def on_notification(notification: SageMakerInferenceResult) -> dict[str, Any]:
        return handle(notification)

    @tracer.capture_method
    def record_handler(record: SageMakerRecord) -> None:
        start_record()
        notification = notification_from_record(record)
        if notification is not None:
            logger.set_correlation_id(notification.inferenceId)
            on_notification(notification=notification)

    return function.lambda_handler(record_handler)
