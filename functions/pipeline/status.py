"""The plan status items in DynamoDB: SUBMITTED -> COMPLETED or FAILED.

One item per upload (`id = plan#<plan id>`), in the table Powertools' idempotency also uses
(its items have other key prefixes). Transitions are conditional writes, so a late or
duplicate message never moves a plan backwards:
- SUBMITTED is written before each attempt is invoked; only a newer (or the same) attempt of a
  plan that is not final may write it, or a fresh upload of a plan that had FAILED.
- COMPLETED wins over anything but COMPLETED; FAILED never overwrites a final state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from .naming import PlanRef, plan_record_id

SUBMITTED = "SUBMITTED"
COMPLETED = "COMPLETED"
FAILED = "FAILED"


def iso(moment: datetime) -> str:
    """UTC, millisecond ISO 8601 with a Z, as AWS writes timestamps."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class PlanRecord:
    """What the status table knows about one plan."""

    plan: PlanRef
    status: str
    attempts: int
    inference_id: str | None
    uploaded_at: datetime | None
    submitted_at: datetime | None
    content_type: str | None
    size: int | None
    endpoint: str | None
    output_location: str | None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> PlanRecord:
        def num(v: Any) -> int | None:
            return int(v) if isinstance(v, Decimal | int) else None

        return cls(
            plan=PlanRef(
                bucket=item["bucket"],
                key=item["key"],
                version_id=item.get("version_id"),
                etag=item.get("etag"),
            ),
            status=item.get("status", ""),
            attempts=num(item.get("attempts")) or 0,
            inference_id=item.get("inference_id"),
            uploaded_at=parse_iso(item.get("uploaded_at")),
            submitted_at=parse_iso(item.get("submitted_at")),
            content_type=item.get("content_type"),
            size=num(item.get("bytes")),
            endpoint=item.get("endpoint"),
            output_location=item.get("output_location"),
        )


def _plan_fields(plan: PlanRef) -> dict[str, Any]:
    fields: dict[str, Any] = {"bucket": plan.bucket, "key": plan.key, "source_uri": plan.uri}
    if plan.version_id:
        fields["version_id"] = plan.version_id
    if plan.etag:
        fields["etag"] = plan.etag.strip('"')
    return fields


_CONDITION_NAMES = {
    "#id": "id",
    "#status": "status",
    "#attempts": "attempts",
    "#iid": "inference_id",
}


def _is_conditional_failure(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class StatusTable:
    """Reads and conditional writes of plan status items (`table` is a boto3 Table)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, plan_id: str) -> PlanRecord | None:
        item = self._table.get_item(Key={"id": plan_record_id(plan_id)}, ConsistentRead=True)
        return PlanRecord.from_item(item["Item"]) if "Item" in item else None

    def _update(
        self, plan_id: str, values: dict[str, Any], condition: str, cond_values: dict[str, Any]
    ) -> bool:
        names = {f"#f{i}": k for i, k in enumerate(values)}
        expr_values = {f":v{i}": v for i, v in enumerate(values.values())}
        sets = []
        for i, key in enumerate(values):
            if key in ("uploaded_at", "first_submitted_at"):  # keep the first value
                sets.append(f"#f{i} = if_not_exists(#f{i}, :v{i})")
            else:
                sets.append(f"#f{i} = :v{i}")
        # Placeholders for every attribute the condition names (DynamoDB rejects unused ones).
        for placeholder, attr in _CONDITION_NAMES.items():
            if placeholder in condition:
                names[placeholder] = attr
        try:
            self._table.update_item(
                Key={"id": plan_record_id(plan_id)},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={**expr_values, **cond_values},
            )
        except ClientError as err:
            if _is_conditional_failure(err):
                return False
            raise
        return True

    def mark_submitted(
        self,
        plan: PlanRef,
        *,
        attempt: int,
        inference_id: str,
        now: datetime,
        uploaded_at: datetime | None,
        content_type: str,
        size: int,
        endpoint: str,
        output_location: str,
    ) -> bool:
        """Record attempt `attempt` as SUBMITTED; False if the plan is final or further on."""
        values = {
            **_plan_fields(plan),
            "kind": "plan",
            "status": SUBMITTED,
            "attempts": attempt,
            "inference_id": inference_id,
            "content_type": content_type,
            "bytes": size,
            "endpoint": endpoint,
            "output_location": output_location,
            "submitted_at": iso(now),
            "first_submitted_at": iso(now),
            "updated_at": iso(now),
            "uploaded_at": iso(uploaded_at or now),
        }
        return self._update(
            plan.plan_id,
            values,
            "attribute_not_exists(#id)"
            " OR (#status = :submitted AND #attempts <= :attempt)"
            " OR (#status = :failed AND :attempt = :one)",
            {":submitted": SUBMITTED, ":failed": FAILED, ":attempt": attempt, ":one": 1},
        )

    def set_output_location(self, plan_id: str, inference_id: str, location: str) -> None:
        """Store where SageMaker said the attempt's output will be (for operators only)."""
        self._update(
            plan_id,
            {"output_location": location},
            "#iid = :iid",
            {":iid": inference_id},
        )

    def mark_retry_scheduled(
        self, plan_id: str, *, attempt: int, reason: str, delay_seconds: int, now: datetime
    ) -> bool:
        """Note that attempt `attempt` failed transiently and the next one is queued."""
        return self._update(
            plan_id,
            {
                "last_error": reason[:1000],
                "retry_delay_seconds": delay_seconds,
                "updated_at": iso(now),
            },
            "#status = :submitted AND #attempts = :attempt",
            {":submitted": SUBMITTED, ":attempt": attempt},
        )

    def mark_completed(
        self, plan: PlanRef, *, inference_id: str, result_uri: str, room_count: int, now: datetime
    ) -> bool:
        """COMPLETED (from any state but COMPLETED: a late success beats a recorded failure)."""
        return self._update(
            plan.plan_id,
            {
                **_plan_fields(plan),
                "kind": "plan",
                "status": COMPLETED,
                "inference_id": inference_id,
                "result_uri": result_uri,
                "room_count": room_count,
                "completed_at": iso(now),
                "updated_at": iso(now),
            },
            "attribute_not_exists(#id) OR #status <> :completed",
            {":completed": COMPLETED},
        )

    def mark_failed(
        self,
        plan: PlanRef,
        *,
        error_type: str,
        message: str,
        result_uri: str,
        now: datetime,
        inference_id: str | None = None,
        uploaded_at: datetime | None = None,
    ) -> bool:
        """FAILED unless already final; True only on the transition (so metrics count once)."""
        values: dict[str, Any] = {
            **_plan_fields(plan),
            "kind": "plan",
            "status": FAILED,
            "error_type": error_type,
            "error_message": message[:1000],
            "result_uri": result_uri,
            "failed_at": iso(now),
            "updated_at": iso(now),
            "uploaded_at": iso(uploaded_at or now),
        }
        if inference_id:
            values["inference_id"] = inference_id
        return self._update(
            plan.plan_id,
            values,
            "attribute_not_exists(#id) OR (#status <> :failed AND #status <> :completed)",
            {":failed": FAILED, ":completed": COMPLETED},
        )
