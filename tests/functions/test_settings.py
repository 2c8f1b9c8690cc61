"""pipeline/settings.py: the environment is validated once, each bad variable named."""

from __future__ import annotations

import pytest

from pipeline.errors import SettingsError
from pipeline.settings import (
    FailureSettings,
    ReconcilerSettings,
    TriggerSettings,
    load_settings,
)

BASE = {
    "TABLE_NAME": "tbl",
    "RESULTS_BUCKET": "results-bucket",
    "RETRY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/uploads",
    "DEAD_LETTER_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/uploads-dlq",
}


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch):
    """Set exactly these variables (and clear the ones the tests' fixtures may have set)."""

    def apply(values: dict[str, str]) -> None:
        for name in (
            *BASE,
            "ENDPOINT_NAME",
            "LOG_LEVEL",
            "REQUEST_TTL_SECONDS",
            "RETRY_BUDGET_SECONDS",
            "RETRY_BASE_DELAY_SECONDS",
            "RETRY_MAX_DELAY_SECONDS",
            "STATUS_INDEX_NAME",
            "RECONCILE_MARGIN_SECONDS",
            "POWERTOOLS_METRICS_NAMESPACE",
        ):
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return apply


def test_defaults_survive_a_30_minute_outage(environ) -> None:
    environ({**BASE, "ENDPOINT_NAME": "ep-1", "LOG_LEVEL": ""})  # empty means unset
    s = load_settings(TriggerSettings)
    assert (s.output_prefix, s.request_ttl_seconds, s.invocation_timeout_seconds) == (
        "sagemaker-output/",
        21_600,
        900,
    )
    assert s.log_level == "INFO" and s.metrics_namespace == "LocationDetector"
    assert s.retry_budget_seconds >= 30 * 60
    assert s.retry_max_delay_seconds <= 900  # SQS's DelaySeconds limit


@pytest.mark.parametrize(
    ("cls", "values", "message"),
    [
        (TriggerSettings, BASE, "ENDPOINT_NAME: missing"),
        (
            TriggerSettings,
            {**BASE, "ENDPOINT_NAME": "e", "REQUEST_TTL_SECONDS": "5"},
            "REQUEST_TTL",
        ),
        (
            FailureSettings,
            {"TABLE_NAME": "tbl", "RESULTS_BUCKET": "rb1"},
            "RETRY_QUEUE_URL: missing",
        ),
        (FailureSettings, {**BASE, "RETRY_BUDGET_SECONDS": "forever"}, "RETRY_BUDGET_SECONDS"),
        (FailureSettings, {**BASE, "RETRY_MAX_DELAY_SECONDS": "901"}, "RETRY_MAX_DELAY_SECONDS"),
        (ReconcilerSettings, BASE, "STATUS_INDEX_NAME: missing"),
    ],
)
def test_each_bad_variable_is_named(
    environ, cls: type, values: dict[str, str], message: str
) -> None:
    environ(values)
    with pytest.raises(SettingsError, match=message):
        load_settings(cls)
