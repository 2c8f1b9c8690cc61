"""Final failures, written once: a failure document and FAILED, never rewritten.

A repeated notification (SQS and SNS deliver at least once, idempotency records expire) for a
plan that is already final changes nothing and logs nothing above INFO.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .documents import dumps
from .naming import PlanRef, result_key
from .observability import PLANS_FAILED, count, logger
from .settings import CommonSettings
from .status import COMPLETED, FAILED, StatusTable

FINAL = (COMPLETED, FAILED)


def is_final(status: StatusTable, plan: PlanRef) -> bool:
    record = status.get(plan.plan_id)
    return record is not None and record.status in FINAL


def write_failure(
    *,
    s3: Any,
    status: StatusTable,
    cfg: CommonSettings,
    plan: PlanRef,
    doc: dict[str, Any],
    now: datetime,
    inference_id: str | None = None,
    uploaded_at: datetime | None = None,
) -> str | None:
    """Write `doc` to results/<key>.json and mark the plan FAILED; None if already final."""
    if is_final(status, plan):
        logger.info("plan already final: failure document left as it is")
        return None
    key = result_key(plan.key, cfg.results_prefix)
    s3.put_object(
        Bucket=cfg.results_bucket, Key=key, Body=dumps(doc), ContentType="application/json"
    )
    uri = f"s3://{cfg.results_bucket}/{key}"
    error = doc.get("error", {})
    if status.mark_failed(
        plan,
        error_type=str(error.get("type", "Error")),
        message=str(error.get("message", "")),
        result_uri=uri,
        now=now,
        inference_id=inference_id,
        uploaded_at=uploaded_at,
        retryable=bool(error.get("retryable", False)),
    ):
        count(PLANS_FAILED)
    return uri
