"""Reconciler Lambda: on an EventBridge schedule, finishes plans no notification finished."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from pipeline.observability import configure, logger, metrics, tracer
from pipeline.reconciler import ReconcilerDeps, reconcile
from pipeline.settings import ReconcilerSettings, load_settings
from pipeline.status import StatusTable

settings = load_settings(ReconcilerSettings)
configure(settings)
deps = ReconcilerDeps(
    settings=settings,
    s3=boto3.client("s3"),
    sqs=boto3.client("sqs"),
    status=StatusTable(
        boto3.resource("dynamodb").Table(settings.table_name), settings.status_index_name
    ),
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The scheduled event carries nothing the run needs: it always looks at the whole index.
    return reconcile(deps)
