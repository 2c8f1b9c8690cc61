"""The model server's settings: read from environment variables once, validated, typed.

Names follow SageMaker's where it defines one (`SAGEMAKER_BIND_TO_PORT`,
`SAGEMAKER_MODEL_SERVER_WORKERS`, `SAGEMAKER_MODEL_SERVER_TIMEOUT`, `SAGEMAKER_BASE_DIR`);
the rest are this server's own, prefixed `MODEL_SERVER_`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


class SettingsError(ValueError):
    """An environment variable has a value the server cannot use (the message names it)."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name}={value} is outside [{minimum}, {maximum}]")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (true/false)")


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know, with SageMaker-compatible defaults."""

    port: int = 8080
    workers: int = 1
    threads: int = 4
    timeout_s: int = 60
    graceful_timeout_s: int = 25
    keepalive_s: int = 5
    max_body_bytes: int = 200 * MIB
    model_dir: Path = Path("/opt/ml/model")
    worker_user: str | None = None
    access_log: bool = True
    log_level: str = "INFO"
    staged_model_dir: bool = False  # model_dir is the server's own copy (removed on exit)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raises `SettingsError` naming the first bad variable."""
        env = os.environ if env is None else env
        base_dir = Path(env.get("SAGEMAKER_BASE_DIR") or "/opt/ml")
        log_level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(f"LOG_LEVEL={log_level!r} is not a logging level")
        return cls(
            port=_int(env, "SAGEMAKER_BIND_TO_PORT", 8080, 1, 65535),
            # One worker per core: detection is CPU-bound, and each worker holds its own model.
            workers=_int(env, "SAGEMAKER_MODEL_SERVER_WORKERS", os.cpu_count() or 1, 1, 256),
            threads=_int(env, "MODEL_SERVER_THREADS", 4, 2, 256),
            timeout_s=_int(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT", 60, 1, 3600),
            # SageMaker sends SIGKILL 30 s after SIGTERM: drain in-flight requests before that.
            graceful_timeout_s=_int(env, "MODEL_SERVER_GRACEFUL_TIMEOUT", 25, 0, 3600),
            keepalive_s=_int(env, "MODEL_SERVER_KEEPALIVE", 5, 0, 3600),
            # Async inference accepts payloads up to 1 GB; the default covers a 60-megapixel
            # uncompressed RGB TIFF (the detector's max_pixels default).
            max_body_bytes=_int(env, "MODEL_SERVER_MAX_BODY_BYTES", 200 * MIB, 1, 1024**3),
            model_dir=Path(env.get("MODEL_DIR") or base_dir / "model"),
            worker_user=(env.get("MODEL_SERVER_USER") or "").strip() or None,
            access_log=_bool(env, "MODEL_SERVER_ACCESS_LOG", True),
            log_level=log_level,
        )
