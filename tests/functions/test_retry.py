"""pipeline/retry.py: full-jitter backoff bounded by a time budget, not by a count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from pipeline.models import RetryMessage
from pipeline.retry import backoff_delay, budget_left, schedule_retry

T0 = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


def test_backoff_ceiling_doubles_and_is_capped() -> None:
    top = [backoff_delay(a, 2, 60, rand=lambda: 1.0) for a in range(1, 9)]
    assert top == [2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff_delay(40, 30, 900, rand=lambda: 1.0) == 900  # no overflow, SQS's cap
    assert backoff_delay(5, 30, 900, rand=lambda: 0.0) == 0


def test_full_jitter_spreads_a_burst() -> None:
    delays = [backoff_delay(6, 10, 900) for _ in range(500)]
    assert min(delays) >= 0 and max(delays) <= 320
    assert len(set(delays)) > 50  # not one synchronized wave


class Sqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **params: Any) -> None:
        self.sent.append(params)


CFG = SimpleNamespace(
    retry_budget_seconds=1800,
    retry_base_delay_seconds=10,
    retry_max_delay_seconds=900,
    retry_queue_url="https://q/uploads",
)


def message(started: datetime | None) -> RetryMessage:
    return RetryMessage(bucket="bkt", key="k.png", attempt=2, budget_started_at=started)


@pytest.mark.parametrize("outage_minutes", [1, 10, 30])
def test_retries_go_on_through_an_outage_shorter_than_the_budget(outage_minutes: int) -> None:
    """Simulate a plan failing transiently until the outage ends: it is never given up."""
    sqs, now, attempt = Sqs(), T0, 1
    while now < T0 + timedelta(minutes=outage_minutes):
        delay = schedule_retry(sqs, CFG, message(T0), failed_attempt=attempt, now=now)
        assert delay is not None, f"gave up {now - T0} into a {outage_minutes} min outage"
        now += timedelta(seconds=delay + 1)
        attempt += 1
    assert len(sqs.sent) == attempt - 1


def test_budget_spent_sends_nothing_and_delays_stop_at_the_budget() -> None:
    sqs = Sqs()
    late = T0 + timedelta(seconds=1790)
    delay = schedule_retry(sqs, CFG, message(T0), failed_attempt=9, now=late)
    assert delay is not None and delay <= 10  # never scheduled past the budget's end
    assert (
        schedule_retry(sqs, CFG, message(T0), failed_attempt=9, now=T0 + timedelta(hours=1)) is None
    )
    assert len(sqs.sent) == 1
    assert budget_left(None, late, 1800) == 1800  # a redriven plan starts afresh
