"""Reconciler Lambda: on an EventBridge schedule, finishes plans no notification finished."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities.typing import LambdaContext

from pipeline.callbacks import handle_failure, handle_success
from pipeline.handler import (
    FAILURE_KEY_PREFIX,
    SUCCESS_KEY_PREFIX,
    OncePerInference,
    entry_point,
    start,
    status_table,
)
from pipeline.reconciler import ReconcilerDeps, reconcile
from pipeline.settings import ReconcilerSettings

settings = start(ReconcilerSettings)
deps = ReconcilerDeps(
    settings=settings,
    s3=boto3.client("s3"),
    sqs=boto3.client("sqs"),
    status=status_table(settings, settings.status_index_name),
)
# The same idempotency records as the success and failure functions (one outcome per id).
complete = OncePerInference(settings, lambda n: handle_success(n, deps), SUCCESS_KEY_PREFIX)
fail = OncePerInference(settings, lambda n: handle_failure(n, deps), FAILURE_KEY_PREFIX)
deps.complete, deps.fail = complete, fail


@entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    # The scheduled event carries nothing the run needs: it always looks at the whole index.
    complete.register_lambda_context(context)
    fail.register_lambda_context(context)
    return reconcile(deps)
