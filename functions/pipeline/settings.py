"""Configuration from environment variables, validated once at cold start (pydantic-settings).

Every variable is documented in `functions/README.md`. Terraform sets the required ones;
the others have defaults. A missing or invalid value raises `SettingsError` naming the
variable, so a misconfigured function fails at init instead of mid-batch. An empty variable
means "not set" (the default applies).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import SettingsError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# The key prefixes' defaults, defined once (Terraform's naming module sets the same values).
BLUEPRINTS_PREFIX = "blueprints/"
OUTPUT_PREFIX = "sagemaker-output/"
INPUTS_PREFIX = "inputs/"
RESULTS_PREFIX = "results/"

_QUEUE_URL = r"^https?://\S+$"
# SQS keeps a message at most 14 days; a retry past the uploads queue's retention is lost.
MAX_RETRY_BUDGET_SECONDS = 14 * 86_400
MAX_SQS_DELAY_SECONDS = 900


class CommonSettings(BaseSettings):
    """Variables every function reads (field aliases are the variable names)."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    table_name: str = Field(alias="TABLE_NAME", min_length=3, max_length=255)
    results_bucket: str = Field(alias="RESULTS_BUCKET", min_length=3, max_length=63)
    results_prefix: str = Field(RESULTS_PREFIX, alias="RESULTS_PREFIX")
    service_name: str = Field("location-detector", alias="POWERTOOLS_SERVICE_NAME", min_length=1)
    metrics_namespace: str = Field(
        "LocationDetector", alias="POWERTOOLS_METRICS_NAMESPACE", min_length=1, max_length=255
    )
    log_level: LogLevel = Field("INFO", alias="LOG_LEVEL")
    idempotency_ttl_seconds: int = Field(
        86_400, alias="IDEMPOTENCY_TTL_SECONDS", ge=60, le=30 * 86_400
    )


class RetrySettings(CommonSettings):
    """Retries of transient failures: full-jitter backoff within a time budget.

    Attempt n waits a random delay in [0, min(max, base * 2^(n-1))] seconds; once the budget
    (counted from the plan's first attempt, or from its last redrive) is spent, the plan is
    FAILED and its retry message parked in the dead-letter queue for a redrive.
    """

    retry_queue_url: str = Field(alias="RETRY_QUEUE_URL", pattern=_QUEUE_URL)
    dead_letter_queue_url: str = Field(alias="DEAD_LETTER_QUEUE_URL", pattern=_QUEUE_URL)
    retry_budget_seconds: int = Field(
        7_200, alias="RETRY_BUDGET_SECONDS", ge=0, le=MAX_RETRY_BUDGET_SECONDS
    )
    retry_base_delay_seconds: float = Field(
        10, alias="RETRY_BASE_DELAY_SECONDS", ge=0, le=MAX_SQS_DELAY_SECONDS
    )
    retry_max_delay_seconds: int = Field(
        MAX_SQS_DELAY_SECONDS, alias="RETRY_MAX_DELAY_SECONDS", ge=0, le=MAX_SQS_DELAY_SECONDS
    )
    # A plan not final by invocation timeout + this margin (or by its retry's due time + this
    # margin) is the reconciler's.
    reconcile_margin_seconds: int = Field(300, alias="RECONCILE_MARGIN_SECONDS", ge=0, le=86_400)


class TriggerSettings(RetrySettings):
    endpoint_name: str = Field(
        alias="ENDPOINT_NAME", min_length=1, max_length=63, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
    )
    blueprints_prefix: str = Field(BLUEPRINTS_PREFIX, alias="BLUEPRINTS_PREFIX")
    output_prefix: str = Field(OUTPUT_PREFIX, alias="OUTPUT_PREFIX")
    # Pinned copies of uploaded versions, in the blueprints bucket, outside BLUEPRINTS_PREFIX.
    inputs_prefix: str = Field(INPUTS_PREFIX, alias="INPUTS_PREFIX")
    # SageMaker async accepts payloads up to 1 GB.
    max_object_bytes: int = Field(
        100 * 1024 * 1024, alias="MAX_OBJECT_BYTES", ge=1, le=1024 * 1024 * 1024
    )
    # The API's limits: RequestTTLSeconds 60..21600, InvocationTimeoutSeconds 1..3600.
    request_ttl_seconds: int = Field(21_600, alias="REQUEST_TTL_SECONDS", ge=60, le=21_600)
    invocation_timeout_seconds: int = Field(900, alias="INVOCATION_TIMEOUT_SECONDS", ge=1, le=3_600)


class SuccessSettings(CommonSettings):
    pass


class FailureSettings(RetrySettings):
    pass


class ReconcilerSettings(RetrySettings):
    # The table's index on status + deadline_at (Terraform's table module output).
    status_index_name: str = Field(alias="STATUS_INDEX_NAME", min_length=3, max_length=255)
    # Plans handled per run at most; the rest wait for the next run (bounded run time).
    reconcile_max_plans: int = Field(200, alias="RECONCILE_MAX_PLANS", ge=1, le=10_000)


S = TypeVar("S", bound=CommonSettings)


def load_settings(cls: type[S]) -> S:
    """Build `cls` from the environment; raises `SettingsError` naming each bad variable."""
    try:
        return cls()
    except ValidationError as err:
        problems = []
        for e in err.errors():
            name = ".".join(str(p) for p in e["loc"])
            problems.append(f"{name}: {'missing' if e['type'] == 'missing' else e['msg']}")
        raise SettingsError(f"invalid {cls.__name__} environment: " + "; ".join(problems)) from err
