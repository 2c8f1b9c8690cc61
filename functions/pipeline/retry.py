"""Retries of transient failures: exponential backoff with full jitter, bounded by time.

One policy for every place that retries a plan (the trigger when the endpoint cannot be
called, the failure callback on a transient inference error, the reconciler on a plan whose
notification never came): a retry message for the next attempt goes to the uploads queue with
`DelaySeconds` drawn by `backoff_delay`, until the plan's retry budget is spent. Then the plan
is FAILED (`RetriesExhausted`, retryable) and the retry message is parked in the uploads
dead-letter queue, where a redrive (`make redrive`) replays it with a fresh budget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .documents import pipeline_failure
from .final import write_failure
from .models import RetryMessage
from .naming import PlanRef
from .observability import PLANS_RETRIED, count, logger
from .settings import MAX_SQS_DELAY_SECONDS, RetrySettings


def backoff_delay(
    attempt: int, base: float, cap: float, rand: Callable[[], float] = random.random
) -> int:
    """Seconds to wait after failed attempt `attempt` (1-based): full jitter.

    Uniform in [0, min(cap, base * 2^(attempt-1))], as in AWS's "Exponential Backoff And
    Jitter": spreads a burst of failures so the recovered endpoint is not hit all at once.
    """
    ceiling = min(float(cap), float(MAX_SQS_DELAY_SECONDS), base * 2.0 ** min(attempt - 1, 30))
    return round(rand() * ceiling)


def budget_left(started_at: datetime | None, now: datetime, budget_seconds: int) -> float:
    """Seconds of retry budget left (negative once spent); a plan with no start has it all."""
    if started_at is None:
        return float(budget_seconds)
    return budget_seconds - (now - started_at).total_seconds()


def retry_message(
    plan: PlanRef,
    *,
    attempt: int,
    uploaded_at: datetime | None,
    budget_started_at: datetime | None,
    reason: str,
) -> RetryMessage:
    return RetryMessage(
        bucket=plan.bucket,
        key=plan.key,
        version_id=plan.version_id,
        etag=plan.etag,
        attempt=attempt,
        uploaded_at=uploaded_at,
        budget_started_at=budget_started_at,
        reason=reason[:1000],
    )


def schedule_retry(
    sqs: Any, cfg: RetrySettings, message: RetryMessage, *, failed_attempt: int, now: datetime
) -> int | None:
    """Queue `message` with backoff; None when the budget is spent (nothing is sent then).

    The delay never reaches past the budget's end, so the last attempt starts within it.
    """
    left = budget_left(message.budget_started_at, now, cfg.retry_budget_seconds)
    if left <= 0:
        return None
    delay = min(
        backoff_delay(failed_attempt, cfg.retry_base_delay_seconds, cfg.retry_max_delay_seconds),
        int(left),
    )
    sqs.send_message(
        QueueUrl=cfg.retry_queue_url,
        MessageBody=message.model_dump_json(exclude_none=True),
        DelaySeconds=delay,
    )
    return delay


def park_for_redrive(sqs: Any, cfg: RetrySettings, message: RetryMessage) -> None:
    """Put the next attempt in the dead-letter queue, without a budget: a redrive of it starts
    a fresh one (the trigger lets a retryable FAILED plan run again for a newer attempt)."""
    fresh = message.model_copy(update={"budget_started_at": None})
    sqs.send_message(
        QueueUrl=cfg.dead_letter_queue_url, MessageBody=fresh.model_dump_json(exclude_none=True)
    )


def due(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)


def retry_or_give_up(
    *,
    deps: Any,
    plan: PlanRef,
    attempt: int,
    reason: str,
    uploaded_at: datetime | None,
    budget_started_at: datetime,
    inference_id_: str | None = None,
    info: Any = None,
    content_type: str | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """Queue attempt + 1 with backoff, or, the budget spent, FAILED + DLQ (shared by the
    trigger, the failure callback and the reconciler; `deps` has settings, s3, sqs, status,
    clock)."""
    cfg = deps.settings
    now = deps.clock()
    message = retry_message(
        plan,
        attempt=attempt + 1,
        uploaded_at=uploaded_at,
        budget_started_at=budget_started_at,
        reason=reason,
    )
    delay = schedule_retry(deps.sqs, cfg, message, failed_attempt=attempt, now=now)
    if delay is not None:
        deps.status.mark_retry_scheduled(
            plan.plan_id,
            attempt=attempt,
            reason=reason,
            delay_seconds=delay,
            now=now,
            deadline_at=due(now, delay + cfg.reconcile_margin_seconds),
        )
        count(PLANS_RETRIED)
        logger.warning(
            "transient failure: retry queued",
            extra={"attempt": attempt, "reason": reason[:500], "delay_s": delay},
        )
        return {"outcome": "retried", "next_attempt": attempt + 1, "delay_seconds": delay}

    spent = int((now - budget_started_at).total_seconds())
    return give_up(
        deps=deps,
        plan=plan,
        message=message,
        why="retry budget spent",
        error_type="RetriesExhausted",
        text=(
            f"gave up after {attempt} attempt(s) over {spent} s (retry budget "
            f"{cfg.retry_budget_seconds} s); last failure: {reason}"
        ),
        inference_id_=inference_id_,
        info=info,
        content_type=content_type,
        size=size,
    )


def give_up(
    *,
    deps: Any,
    plan: PlanRef,
    message: RetryMessage,
    why: str,
    error_type: str,
    text: str,
    inference_id_: str | None = None,
    info: Any = None,
    content_type: str | None = None,
    size: int | None = None,
) -> dict[str, Any]:
    """FAILED (retryable: not the plan's fault) and `message`, the next attempt, parked in the
    dead-letter queue for a redrive."""
    cfg = deps.settings
    now = deps.clock()
    doc = pipeline_failure(
        plan,
        error_type=error_type,
        message=text,
        retryable=True,
        info=info,
        content_type=content_type,
        size=size,
    )
    uri = write_failure(
        s3=deps.s3,
        status=deps.status,
        cfg=cfg,
        plan=plan,
        doc=doc,
        now=now,
        inference_id=inference_id_,
        uploaded_at=message.uploaded_at,
    )
    if uri is None:
        return {"outcome": "skipped"}
    park_for_redrive(deps.sqs, cfg, message)
    logger.error(
        f"{why}: plan FAILED, next attempt parked in the dead-letter queue",
        extra={"attempt": message.attempt - 1, "reason": text[:500]},
    )
    return {"outcome": "failed", "result_uri": uri}
