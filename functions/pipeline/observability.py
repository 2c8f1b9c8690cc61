"""The Powertools logger, tracer and metrics every function shares, and the metric names.

Powertools keeps one metric set per process, so modules of this package add metrics to the
same set the handler's `@metrics.log_metrics` flushes.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or "location-detector"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "LocationDetector"

logger = Logger(service=SERVICE, level=os.environ.get("LOG_LEVEL") or "INFO")
tracer = Tracer(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)

PLANS_SUBMITTED = "PlansSubmitted"
PLANS_COMPLETED = "PlansCompleted"
PLANS_FAILED = "PlansFailed"
PLANS_RETRIED = "PlansRetried"
ROOMS_DETECTED = "RoomsDetected"
END_TO_END_SECONDS = "EndToEndSeconds"
MESSAGES_IGNORED = "MessagesIgnored"


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def seconds(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=value)
