"""Configuration from environment variables, validated once at cold start.

Every variable is documented in `functions/README.md`. Terraform sets the required ones;
the others have defaults. A missing or invalid value raises `SettingsError` naming the
variable, so a misconfigured function fails at init instead of mid-batch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import SettingsError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class CommonSettings(BaseModel):
    """Variables every function reads (field aliases are the variable names)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    table_name: str = Field(alias="TABLE_NAME", min_length=3, max_length=255)
    results_bucket: str = Field(alias="RESULTS_BUCKET", min_length=3, max_length=63)
    service_name: str = Field("location-detector", alias="POWERTOOLS_SERVICE_NAME", min_length=1)
    metrics_namespace: str = Field(
        "LocationDetector", alias="POWERTOOLS_METRICS_NAMESPACE", min_length=1, max_length=255
    )
    log_level: LogLevel = Field("INFO", alias="LOG_LEVEL")
    idempotency_ttl_seconds: int = Field(
        86_400, alias="IDEMPOTENCY_TTL_SECONDS", ge=60, le=30 * 86_400
    )


class TriggerSettings(CommonSettings):
    endpoint_name: str = Field(
        alias="ENDPOINT_NAME", min_length=1, max_length=63, pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
    )
    blueprints_prefix: str = Field("blueprints/", alias="BLUEPRINTS_PREFIX")
    output_prefix: str = Field("sagemaker-output/", alias="OUTPUT_PREFIX")
    results_prefix: str = Field("results/", alias="RESULTS_PREFIX")
    # SageMaker async accepts payloads up to 1 GB.
    max_object_bytes: int = Field(
        100 * 1024 * 1024, alias="MAX_OBJECT_BYTES", ge=1, le=1024 * 1024 * 1024
    )
    # The API's limits: RequestTTLSeconds 60..21600, InvocationTimeoutSeconds 1..3600.
    request_ttl_seconds: int = Field(21_600, alias="REQUEST_TTL_SECONDS", ge=60, le=21_600)
    invocation_timeout_seconds: int = Field(900, alias="INVOCATION_TIMEOUT_SECONDS", ge=1, le=3_600)


class SuccessSettings(CommonSettings):
    results_prefix: str = Field("results/", alias="RESULTS_PREFIX")


class FailureSettings(CommonSettings):
    results_prefix: str = Field("results/", alias="RESULTS_PREFIX")
    retry_queue_url: str = Field(alias="RETRY_QUEUE_URL", pattern=r"^https?://\S+$")
    max_attempts: int = Field(3, alias="MAX_ATTEMPTS", ge=1, le=20)
    retry_base_delay_seconds: int = Field(30, alias="RETRY_BASE_DELAY_SECONDS", ge=0, le=900)


S = TypeVar("S", bound=CommonSettings)


def load_settings(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
    """Build `cls` from the environment; raises `SettingsError` naming each bad variable."""
    env = dict(os.environ if environ is None else environ)
    # An empty variable means "not set", so the default applies.
    env = {k: v for k, v in env.items() if v != ""}
    try:
        return cls.model_validate(env)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            name = ".".join(str(p) for p in e["loc"])
            problems.append(f"{name}: {'missing' if e['type'] == 'missing' else e['msg']}")
        raise SettingsError(f"invalid {cls.__name__} environment: " + "; ".join(problems)) from err
