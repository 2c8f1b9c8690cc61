"""The model server's settings: read from environment variables once, validated, typed.

pydantic-settings, as the Lambdas' settings: field aliases are the variable names, an empty
variable means "not set". Names follow SageMaker's where it defines one (`SAGEMAKER_BIND_TO_PORT`,
`SAGEMAKER_MODEL_SERVER_WORKERS`, `SAGEMAKER_MODEL_SERVER_TIMEOUT`, `SAGEMAKER_BASE_DIR`);
the rest are this server's own, prefixed `MODEL_SERVER_`.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from detector.errors import SettingsError

MIB = 1024 * 1024

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    """Everything the server needs to know, with SageMaker-compatible defaults."""

    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, env_ignore_empty=True,
        case_sensitive=True,
    )  # fmt: skip

    # SageMaker connects from outside the container: every interface, on 8080.
    bind: str = Field("0.0.0.0", alias="MODEL_SERVER_BIND")
    port: int = Field(8080, alias="SAGEMAKER_BIND_TO_PORT", ge=1, le=65535)
    # One worker per core: detection is CPU-bound, and each worker holds its own model.
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        alias="SAGEMAKER_MODEL_SERVER_WORKERS",
        ge=1,
        le=256,
    )
    threads: int = Field(4, alias="MODEL_SERVER_THREADS", ge=2, le=256)
    timeout_s: int = Field(60, alias="SAGEMAKER_MODEL_SERVER_TIMEOUT", ge=1, le=3600)
    # SageMaker sends SIGKILL 30 s after SIGTERM: drain in-flight requests before that.
    graceful_timeout_s: int = Field(25, alias="MODEL_SERVER_GRACEFUL_TIMEOUT", ge=0, le=3600)
    keepalive_s: int = Field(5, alias="MODEL_SERVER_KEEPALIVE", ge=0, le=3600)
    # A client that sends nothing for this long while a request is being read loses its
    # connection: stalled uploads must not hold the threads that answer /ping.
    read_timeout_s: float = Field(10.0, alias="MODEL_SERVER_READ_TIMEOUT", gt=0, le=600)
    # Async inference accepts payloads up to 1 GB; the default covers a 60-megapixel
    # uncompressed RGB TIFF (the detector's max_pixels default).
    max_body_bytes: int = Field(200 * MIB, alias="MODEL_SERVER_MAX_BODY_BYTES", ge=1, le=1024**3)
    base_dir: Path = Field(Path("/opt/ml"), alias="SAGEMAKER_BASE_DIR")
    model_dir: Path = Field(alias="MODEL_DIR")  # default: base_dir / "model"
    worker_user: str | None = Field(None, alias="MODEL_SERVER_USER", min_length=1)
    access_log: bool = Field(True, alias="MODEL_SERVER_ACCESS_LOG")
    log_level: LogLevel = Field("INFO", alias="LOG_LEVEL")
    staged_model_dir: bool = Field(False, exclude=True)  # model_dir is the server's own copy

    @field_validator("bind")
    @classmethod
    def _an_ip_address(cls, value: str) -> str:
        ipaddress.ip_address(value)  # ValueError names the bad value
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _model_dir_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and not (data.get("MODEL_DIR") or data.get("model_dir")):
            base = data.get("SAGEMAKER_BASE_DIR") or data.get("base_dir") or "/opt/ml"
            data = {**data, "MODEL_DIR": Path(base) / "model"}
        return data


def load_settings() -> Settings:
    """The settings from the environment; raises `SettingsError` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as err:
        problems = []
        for e in err.errors():
            name = ".".join(str(p) for p in e["loc"])
            problems.append(f"{name}={e.get('input')!r}: {e['msg']}")
        raise SettingsError("; ".join(problems)) from err
