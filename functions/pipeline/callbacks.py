"""Success and failure callbacks: a SageMaker notification becomes a final document or a retry.

`notification_from_record` takes SageMaker's message out of one parsed SQS record (the batch
processor parses SNS's envelope with `models.SageMakerRecord`). `handle_success` reads the
`.out` SageMaker names, validates and normalises it and writes `results/<plan key>.json`;
`handle_failure` classifies the failure reason and either writes a final failure document or
re-queues the plan with backoff within the retry budget. The handlers make both idempotent on
the inference id; a plan already final is never rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from detector.results import INTERNAL_ERROR, SchemaValidationError, validate_document

from .batch import plan_log_keys
from .documents import InferenceInfo, dumps, normalise, pipeline_failure
from .errors import MalformedMessageError, OutputUnavailableError
from .final import FINAL, write_failure
from .models import SageMakerInferenceResult, SageMakerRecord, SageMakerTestNotification
from .naming import PlanRef, parse_s3_url, result_key, split_inference_id
from .observability import (
    END_TO_END_SECONDS,
    MESSAGES_IGNORED,
    PLANS_COMPLETED,
    ROOMS_DETECTED,
    count,
    logger,
    seconds,
    tracer,
)
from .retry import give_up, retry_message, retry_or_give_up
from .settings import FailureSettings, SuccessSettings
from .status import PlanRecord, StatusTable


def notification_from_record(record: SageMakerRecord) -> SageMakerInferenceResult | None:
    """SageMaker's message inside one parsed SQS record; None for a test notification."""
    message = record.body.Message
    if isinstance(message, SageMakerTestNotification):
        logger.info("ignoring SageMaker test notification")
        count(MESSAGES_IGNORED)
        return None
    return message


@dataclass(frozen=True)
class PlanContext:
    """The plan a notification is about, from the status table (or its input location)."""

    plan: PlanRef
    record: PlanRecord | None
    attempt: int


def plan_context(notification: SageMakerInferenceResult, status: StatusTable) -> PlanContext:
    """Find the plan: by the inference id this pipeline issued, else by the input location."""
    record = None
    attempt = 1
    try:
        plan_id, attempt = split_inference_id(notification.inferenceId)
        record = status.get(plan_id)
    except MalformedMessageError:
        logger.warning("inference id not issued by this pipeline; using the input location")
    if record is not None:
        ctx = PlanContext(record.plan, record, attempt)
    else:
        bucket, key = parse_s3_url(notification.requestParameters.inputLocation)
        ctx = PlanContext(PlanRef(bucket, key), None, attempt)
    plan_log_keys(ctx.plan.bucket, ctx.plan.key, ctx.plan.plan_id)
    return ctx


def inference_info(
    notification: SageMakerInferenceResult, ctx: PlanContext, completed_at: datetime
) -> InferenceInfo:
    record = ctx.record
    params = notification.responseParameters
    output = params.outputLocation if params else None
    return InferenceInfo(
        inference_id=notification.inferenceId,
        endpoint=notification.requestParameters.endpointName,
        output_location=output,
        attempts=ctx.attempt,
        # Without a record (an inference we did not start) the upload time is unknown:
        # SageMaker's receivedTime is the closest we have.
        uploaded_at=(record.uploaded_at if record else None) or notification.receivedTime,
        submitted_at=record.submitted_at if record else None,
        received_at=notification.receivedTime,
        finished_at=notification.eventTime,
        completed_at=completed_at,
    )


def read_s3_url(s3: Any, url: str) -> bytes:
    bucket, key = parse_s3_url(url)
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as err:
        raise OutputUnavailableError(f"cannot read {url}: {err}") from err


@dataclass
class SuccessDeps:
    settings: SuccessSettings
    s3: Any
    status: StatusTable
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _write(s3: Any, bucket: str, key: str, doc: dict[str, Any]) -> str:
    s3.put_object(Bucket=bucket, Key=key, Body=dumps(doc), ContentType="application/json")
    return f"s3://{bucket}/{key}"


def _final_failure(
    deps: Any, ctx: PlanContext, doc: dict[str, Any], now: datetime, inference_id: str
) -> str | None:
    """Write a failure document and mark the plan FAILED, unless it is already final."""
    return write_failure(
        s3=deps.s3,
        status=deps.status,
        cfg=deps.settings,
        plan=ctx.plan,
        doc=doc,
        now=now,
        inference_id=inference_id,
        uploaded_at=ctx.record.uploaded_at if ctx.record else None,
    )


@tracer.capture_method
def handle_success(notification: SageMakerInferenceResult, deps: SuccessDeps) -> dict[str, Any]:
    """Read the `.out`, validate, normalise, write the result, mark COMPLETED."""
    if not notification.succeeded:
        raise MalformedMessageError(
            f"invocationStatus {notification.invocationStatus!r} on the success topic"
        )
    cfg = deps.settings
    logger.set_correlation_id(notification.inferenceId)
    ctx = plan_context(notification, deps.status)
    if ctx.record is not None and ctx.record.status == "COMPLETED":
        logger.info("plan already COMPLETED: nothing to write", extra={"plan_uri": ctx.plan.uri})
        return {"outcome": "skipped", "inference_id": notification.inferenceId}
    params = notification.responseParameters
    location = params.outputLocation if params else None
    if not location:
        raise MalformedMessageError("success notification without an outputLocation")

    raw = read_s3_url(deps.s3, location)
    now = deps.clock()
    info = inference_info(notification, ctx, now)
    try:
        doc = json.loads(raw)
        validate_document(doc)
    except (json.JSONDecodeError, UnicodeDecodeError, SchemaValidationError) as err:
        # The endpoint broke its contract: retrying the same input will not help.
        logger.error("endpoint output is not a results document", extra={"error": str(err)})
        failure = pipeline_failure(
            ctx.plan,
            error_type="InvalidOutputError",
            message=f"the endpoint's output {location} is not a valid results document: {err}",
            retryable=False,
            info=info,
            content_type=ctx.record.content_type if ctx.record else None,
            size=ctx.record.size if ctx.record else None,
        )
        uri = _final_failure(deps, ctx, failure, now, notification.inferenceId)
        return {"outcome": "failed", "inference_id": notification.inferenceId, "result_uri": uri}

    final = normalise(doc, ctx.plan, info)
    if final["status"] == "failed":
        uri = _final_failure(deps, ctx, final, now, notification.inferenceId)
        logger.warning("endpoint returned a failure document", extra={"error": final["error"]})
        return {"outcome": "failed", "inference_id": notification.inferenceId, "result_uri": uri}

    uri = _write(deps.s3, cfg.results_bucket, result_key(ctx.plan.key, cfg.results_prefix), final)
    rooms = int(final.get("room_count", 0))
    if deps.status.mark_completed(
        ctx.plan,
        inference_id=notification.inferenceId,
        result_uri=uri,
        room_count=rooms,
        now=now,
    ):
        count(PLANS_COMPLETED)
        count(ROOMS_DETECTED, rooms)
        end_to_end = final["inference"].get("timings_s", {}).get("end_to_end")
        if end_to_end is not None:
            seconds(END_TO_END_SECONDS, end_to_end)
    logger.info("result written", extra={"result_uri": uri, "room_count": rooms})
    return {"outcome": "completed", "inference_id": notification.inferenceId, "result_uri": uri}


# --- failures -------------------------------------------------------------------------------

_CLIENT_STATUS = re.compile(r"client error \((\d{3})\)", re.IGNORECASE)
# 4xx that mean "try again later", not "bad input".
_RETRYABLE_4XX = {408, 409, 423, 424, 425, 429}


def classify_failure(reason: str | None, container_error: dict[str, Any] | None = None) -> str:
    """'client' (the input is at fault: final) or 'transient' (worth another attempt).

    SageMaker prefixes every model error with "ClientError:", so the HTTP status inside the
    message decides: a 4xx from the model container means it refused the input (the container
    answers `InvalidPlanError` with 4xx). 5xx, timeouts, expired requests and anything
    unrecognised are transient: retries are bounded by the retry budget anyway.
    """
    if container_error is not None and container_error.get("retryable") is False:
        return "client"
    text = reason or ""
    match = _CLIENT_STATUS.search(text)
    if match and int(match.group(1)) not in _RETRYABLE_4XX:
        return "client"
    return "transient"


# The container's own 500 (its failure document says InternalError) is a bug for this input:
# the same image fails it again, so retrying for the whole budget (hours in production) only
# delays the FAILED that a redrive after the fix needs. A crash may still be a one-off (the
# host, memory), hence a few attempts with backoff, not one.
INTERNAL_ERROR_ATTEMPTS = 3


def _is_internal_error(container_error: dict[str, Any] | None) -> bool:
    return container_error is not None and container_error.get("type") == INTERNAL_ERROR


@dataclass
class FailureDeps:
    settings: FailureSettings
    s3: Any
    sqs: Any
    status: StatusTable
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _container_error(s3: Any, notification: SageMakerInferenceResult) -> dict[str, Any] | None:
    """The container's own failure document, when SageMaker stored the error response."""
    params = notification.responseParameters
    location = params.failureLocation if params else None
    if not location:
        return None
    try:
        doc = json.loads(read_s3_url(s3, location))
        validate_document(doc)
    except Exception as err:  # best effort: the failure reason alone is enough to go on
        logger.info("no results document at the failure location", extra={"error": str(err)})
        return None
    return doc.get("error") if doc.get("status") == "failed" else None


@tracer.capture_method
def handle_failure(notification: SageMakerInferenceResult, deps: FailureDeps) -> dict[str, Any]:
    """Final failure document for bad input; transient failures are retried with backoff
    until the plan's retry budget is spent (then FAILED, and the next attempt in the DLQ)."""
    if notification.succeeded:
        raise MalformedMessageError("invocationStatus 'Completed' on the error topic")
    logger.set_correlation_id(notification.inferenceId)
    ctx = plan_context(notification, deps.status)
    iid = notification.inferenceId
    reason = notification.failureReason or "no failureReason given"
    log_keys = {"attempt": ctx.attempt, "reason": reason[:500]}

    if ctx.record is not None and ctx.record.status in FINAL:
        # A repeated or late notification: the plan's one final document stays as it is.
        logger.info(f"plan already {ctx.record.status}: notification ignored", extra=log_keys)
        return {"outcome": "skipped", "inference_id": iid}
    if ctx.record is not None and ctx.record.attempts > ctx.attempt:
        # A later attempt is already under way: re-queueing again would fork the retries.
        logger.info("failure of an earlier attempt: ignored", extra=log_keys)
        return {"outcome": "skipped", "inference_id": iid}

    now = deps.clock()
    container_error = _container_error(deps.s3, notification)
    kind = classify_failure(reason, container_error)
    info = inference_info(notification, ctx, now)
    content = {
        "content_type": ctx.record.content_type if ctx.record else None,
        "size": ctx.record.size if ctx.record else None,
    }
    if kind == "client":
        error_type = str((container_error or {}).get("type") or "InvalidPlanError")
        message = str((container_error or {}).get("message") or reason)
        doc = pipeline_failure(
            ctx.plan, error_type=error_type, message=message, retryable=False, info=info, **content
        )
        uri = _final_failure(deps, ctx, doc, now, iid)
        logger.warning("plan refused by the endpoint: final", extra={**log_keys, "kind": kind})
        return {"outcome": "failed", "inference_id": iid, "result_uri": uri}

    record = ctx.record
    started = (record.budget_started_at or record.submitted_at) if record else None
    if _is_internal_error(container_error) and ctx.attempt >= INTERNAL_ERROR_ATTEMPTS:
        message = retry_message(
            ctx.plan,
            attempt=ctx.attempt + 1,
            uploaded_at=record.uploaded_at if record else None,
            budget_started_at=started,
            reason=reason,
        )
        detail = str((container_error or {}).get("message") or reason)
        return {"inference_id": iid} | give_up(
            deps=deps,
            plan=ctx.plan,
            message=message,
            why=f"the model failed on this plan {ctx.attempt} times with its own error",
            error_type=INTERNAL_ERROR,
            text=(
                f"the model container failed on this plan in {ctx.attempt} attempts with its "
                f"own error (a bug for this input, not the plan's fault and not an outage; "
                f"redrive it once a fixed model is deployed): {detail}"
            ),
            inference_id_=iid,
            info=info,
            **content,
        )
    return {"inference_id": iid} | retry_or_give_up(
        deps=deps,
        plan=ctx.plan,
        attempt=ctx.attempt,
        reason=reason,
        uploaded_at=record.uploaded_at if record else None,
        budget_started_at=started or notification.receivedTime or now,
        inference_id_=iid,
        info=info,
        **content,
    )
