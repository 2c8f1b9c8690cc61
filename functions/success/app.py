"""Success Lambda: SageMaker's success notification (SNS -> SQS) -> results/<plan key>.json."""

from __future__ import annotations

import boto3

from pipeline.callbacks import SuccessDeps, handle_success
from pipeline.handler import SUCCESS_KEY_PREFIX, notification_lambda_handler, start, status_table
from pipeline.settings import SuccessSettings

settings = start(SuccessSettings)
deps = SuccessDeps(settings=settings, s3=boto3.client("s3"), status=status_table(settings))
lambda_handler = notification_lambda_handler(
    settings, lambda notification: handle_success(notification, deps), key_prefix=SUCCESS_KEY_PREFIX
)
