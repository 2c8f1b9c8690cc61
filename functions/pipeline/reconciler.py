"""The reconciler: finishes plans that no notification will ever finish.

SageMaker's notification can be lost (an SNS or SQS hiccup, a subscription deleted) and an
accepted request can vanish with the instance that held it. A scheduled run queries the status
index for non-final plans past their deadline (never a Scan) and, for each:
1. SageMaker's output object exists: complete the plan from it, as the success callback would;
2. its failure object exists: handle it as the failure callback would (final, or a retry);
3. neither, but SageMaker may still be working on it (before the request's TTL plus its
   invocation timeout): look again then;
4. neither, and SageMaker is surely done with it: a transient failure, retried with backoff
   within the plan's retry budget, else FAILED with a failure document and the next attempt
   in the dead-letter queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)
from botocore.exceptions import ClientError

from .batch import plan_log_keys, start_record
from .callbacks import handle_failure, handle_success
from .errors import MalformedMessageError
from .models import SageMakerInferenceResult
from .naming import parse_s3_url
from .observability import PLANS_RECONCILED, count, logger, tracer
from .retry import retry_or_give_up
from .settings import ReconcilerSettings
from .status import PlanRecord, StatusTable

Handle = Callable[[SageMakerInferenceResult], dict[str, Any]]


@dataclass
class ReconcilerDeps:
    settings: ReconcilerSettings
    s3: Any
    sqs: Any
    status: StatusTable
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # How a found output or failure object is handled. The Lambda passes the callbacks made
    # idempotent per inference id as the success and failure functions make them, so a late
    # notification and the reconciler never both write; by default, the callbacks themselves.
    complete: Handle | None = None
    fail: Handle | None = None


def _last_modified(s3: Any, url: str | None) -> datetime | None:
    """When the object at `url` was written; None if there is none."""
    if not url:
        return None
    try:
        bucket, key = parse_s3_url(url)
        head = s3.head_object(Bucket=bucket, Key=key)
    except MalformedMessageError:
        return None
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("LastModified")


def _notification(
    record: PlanRecord, *, finished_at: datetime, failed: bool
) -> SageMakerInferenceResult:
    """The notification SageMaker would have sent for the attempt's output or failure."""
    response: dict[str, Any] = (
        {"failureLocation": record.failure_location}
        if failed
        else {"outputLocation": record.output_location}
    )
    return SageMakerInferenceResult.model_validate(
        {
            "eventName": "InferenceResult",
            "eventTime": finished_at,
            "invocationStatus": "Failed" if failed else "Completed",
            "inferenceId": record.inference_id,
            "requestParameters": {
                "endpointName": record.endpoint or "",
                "inputLocation": record.input_location or record.plan.uri,
            },
            "responseParameters": response,
            "failureReason": (
                f"no notification came; SageMaker's failure object is {record.failure_location}"
                if failed
                else None
            ),
        }
    )


def reconcile_plan(record: PlanRecord, deps: ReconcilerDeps, now: datetime) -> str:
    """Finish, defer or retry one overdue plan; returns what was done."""
    if not record.inference_id:
        return "skipped"
    written = _last_modified(deps.s3, record.output_location)
    if written is not None:
        logger.warning("no notification came; completing the plan from SageMaker's output")
        complete = deps.complete or (lambda n: handle_success(n, deps))
        outcome = complete(_notification(record, finished_at=written, failed=False))
        return str(outcome["outcome"])
    written = _last_modified(deps.s3, record.failure_location)
    # A failure object older than this attempt is an earlier attempt's, already handled
    # (S3's LastModified has whole seconds: one second of slack).
    if written is not None and (
        record.submitted_at is None or written >= record.submitted_at - timedelta(seconds=1)
    ):
        logger.warning("no notification came; handling SageMaker's failure object")
        fail = deps.fail or (lambda n: handle_failure(n, deps))
        outcome = fail(_notification(record, finished_at=written, failed=True))
        return str(outcome["outcome"])
    if record.expires_at is not None and now < record.expires_at:
        # Maybe still queued in SageMaker (RequestTTLSeconds): look again when it cannot be.
        deps.status.defer(
            record.plan.plan_id, attempt=record.attempts, deadline_at=record.expires_at, now=now
        )
        logger.info("no output yet; looking again when the request expires")
        return "deferred"
    started = record.budget_started_at or record.submitted_at or now
    outcome = retry_or_give_up(
        deps=deps,
        plan=record.plan,
        attempt=record.attempts,
        reason=f"no notification and no output for {record.inference_id} by its deadline",
        uploaded_at=record.uploaded_at,
        budget_started_at=started,
        inference_id_=record.inference_id,
        content_type=record.content_type,
        size=record.size,
    )
    return str(outcome["outcome"])


@tracer.capture_method
def reconcile(deps: ReconcilerDeps) -> dict[str, int]:
    """One scheduled run: every overdue plan (up to `RECONCILE_MAX_PLANS`), counted by outcome."""
    now = deps.clock()
    outcomes: Counter[str] = Counter()
    overdue = deps.status.overdue(now, deps.settings.reconcile_max_plans)
    for record in overdue:
        start_record()
        plan_log_keys(record.plan.bucket, record.plan.key, record.plan.plan_id)
        logger.set_correlation_id(record.inference_id)
        try:
            outcome = reconcile_plan(record, deps, now)
        except IdempotencyAlreadyInProgressError:
            # The notification came after all and its function is handling it right now.
            logger.info("the notification is being handled: leaving the plan to it")
            outcome = "in_progress"
        except Exception:
            # One bad plan must not starve the others; it stays overdue for the next run.
            logger.exception("could not reconcile the plan")
            outcome = "error"
        outcomes[outcome] += 1
        if outcome not in ("deferred", "skipped", "error", "in_progress"):
            count(PLANS_RECONCILED)
    start_record()
    logger.info("reconciled", extra={"overdue": len(overdue), **outcomes})
    return dict(outcomes)
