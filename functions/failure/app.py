"""Failure Lambda: SageMaker's error notification (SNS -> SQS) -> failure document or retry."""

from __future__ import annotations

import boto3

from pipeline.callbacks import FailureDeps, handle_failure
from pipeline.handler import FAILURE_KEY_PREFIX, notification_lambda_handler, start, status_table
from pipeline.settings import FailureSettings

settings = start(FailureSettings)
deps = FailureDeps(
    settings=settings,
    s3=boto3.client("s3"),
    sqs=boto3.client("sqs"),
    status=status_table(settings),
)
lambda_handler = notification_lambda_handler(
    settings, lambda notification: handle_failure(notification, deps), key_prefix=FAILURE_KEY_PREFIX
)
