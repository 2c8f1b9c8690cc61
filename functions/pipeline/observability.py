"""The Powertools logger, tracer and metrics every function shares, and the metric names.

Powertools keeps one metric set per process, so modules of this package add metrics to the
same set the handler's `@metrics.log_metrics` flushes. They are created at import and set up
from the validated settings by `configure` (the environment is read once, by `settings.py`).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from .settings import CommonSettings

logger = Logger()
tracer = Tracer()
metrics = Metrics()

PLANS_SUBMITTED = "PlansSubmitted"
PLANS_COMPLETED = "PlansCompleted"
PLANS_FAILED = "PlansFailed"
PLANS_RETRIED = "PlansRetried"
PLANS_RECONCILED = "PlansReconciled"
ROOMS_DETECTED = "RoomsDetected"
END_TO_END_SECONDS = "EndToEndSeconds"
MESSAGES_IGNORED = "MessagesIgnored"


def configure(settings: CommonSettings) -> None:
    """Log level, metrics namespace and service from the validated settings.

    The Logger's and Tracer's service come from POWERTOOLS_SERVICE_NAME, read by Powertools
    itself (Terraform sets it on every function; `settings` validated it).
    """
    logger.setLevel(settings.log_level)
    metrics.namespace = settings.metrics_namespace
    metrics.service = settings.service_name


def count(name: str, value: float = 1) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def seconds(name: str, value: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=value)
