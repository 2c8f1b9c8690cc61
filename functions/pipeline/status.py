"""The plan status items in DynamoDB: SUBMITTED -> COMPLETED or FAILED.

One item per upload (`id = plan#<plan id>`), in the table Powertools' idempotency also uses
(its items have other key prefixes). Transitions are conditional writes, so a late or
duplicate message never moves a plan backwards:
- SUBMITTED is written before each attempt is invoked; only a newer (or the same) attempt of a
  plan that is not final may write it, or a fresh upload of a plan that had FAILED.
- COMPLETED wins over anything but COMPLETED; FAILED never overwrites a final state.
- A FAILED plan whose failure was retryable (`RetriesExhausted`) runs again for a newer
  attempt: that is a redrive from the dead-letter queue.

Two sparse global secondary indexes (Terraform's table module; idempotency items have neither
key):
- status + `deadline_at`: non-final plans by when the reconciler should look at them
  (`deadline_at` is removed when a plan becomes final, so final plans leave the index);
- `source_uri` + `uploaded_at`: every upload of one S3 key, newest last (`status s3://b/k`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
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
    failure_location: str | None = None
    input_location: str | None = None
    budget_started_at: datetime | None = None
    deadline_at: datetime | None = None
    expires_at: datetime | None = None
    retryable: bool | None = None

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
            failure_location=item.get("failure_location"),
            input_location=item.get("input_location"),
            budget_started_at=parse_iso(item.get("budget_started_at")),
            deadline_at=parse_iso(item.get("deadline_at")),
            expires_at=parse_iso(item.get("expires_at")),
            retryable=item.get("retryable"),
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
    "#retryable": "retryable",
}
# Leave the status index when final (see the module docstring).
_NON_FINAL_ONLY = ("deadline_at", "expires_at")


def _is_conditional_failure(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class StatusTable:
    """Reads and conditional writes of plan status items (`table` is a boto3 Table)."""

    def __init__(self, table: Any, status_index: str | None = None) -> None:
        self._table = table
        self._status_index = status_index

    def get(self, plan_id: str) -> PlanRecord | None:
        item = self._table.get_item(Key={"id": plan_record_id(plan_id)}, ConsistentRead=True)
        return PlanRecord.from_item(item["Item"]) if "Item" in item else None

    def _update(
        self,
        plan_id: str,
        values: dict[str, Any],
        condition: str,
        cond_values: dict[str, Any],
        remove: tuple[str, ...] = (),
    ) -> bool:
        names = {f"#f{i}": k for i, k in enumerate(values)}
        expr_values = {f":v{i}": v for i, v in enumerate(values.values())}
        sets = []
        for i, key in enumerate(values):
            if key in ("uploaded_at", "first_submitted_at"):  # keep the first value
                sets.append(f"#f{i} = if_not_exists(#f{i}, :v{i})")
            else:
                sets.append(f"#f{i} = :v{i}")
        removes = []
        for i, attr in enumerate(remove):
            names[f"#r{i}"] = attr
            removes.append(f"#r{i}")
        # Placeholders for every attribute the condition names (DynamoDB rejects unused ones).
        for placeholder, attr in _CONDITION_NAMES.items():
            if placeholder in condition:
                names[placeholder] = attr
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        try:
            self._table.update_item(
                Key={"id": plan_record_id(plan_id)},
                UpdateExpression=expression,
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
        input_location: str,
        budget_started_at: datetime,
        deadline_at: datetime,
        expires_at: datetime,
    ) -> bool:
        """Record attempt `attempt` as SUBMITTED; False if the plan is final or further on.

        `deadline_at` is when the reconciler looks for the attempt's output if no notification
        came; `expires_at` is when SageMaker must have finished or dropped the request.
        """
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
            "input_location": input_location,
            "budget_started_at": iso(budget_started_at),
            "deadline_at": iso(deadline_at),
            "expires_at": iso(expires_at),
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
            " OR (#status = :failed AND :attempt = :one)"
            " OR (#status = :failed AND #retryable = :true AND #attempts < :attempt)",
            {
                ":submitted": SUBMITTED,
                ":failed": FAILED,
                ":attempt": attempt,
                ":one": 1,
                ":true": True,
            },
        )

    def set_locations(
        self, plan_id: str, inference_id: str, output: str | None, failure: str | None
    ) -> None:
        """Store where SageMaker said the attempt's output (or error) will be."""
        values = {"output_location": output, "failure_location": failure}
        self._update(
            plan_id,
            {k: v for k, v in values.items() if v},
            "#iid = :iid",
            {":iid": inference_id},
        )

    def mark_retry_scheduled(
        self,
        plan_id: str,
        *,
        attempt: int,
        reason: str,
        delay_seconds: int,
        now: datetime,
        deadline_at: datetime,
    ) -> bool:
        """Note that attempt `attempt` failed transiently and the next one is queued; the
        reconciler looks again at `deadline_at` (the retry's due time plus a margin)."""
        return self._update(
            plan_id,
            {
                "last_error": reason[:1000],
                "retry_delay_seconds": delay_seconds,
                "deadline_at": iso(deadline_at),
                "expires_at": iso(deadline_at),
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
            remove=_NON_FINAL_ONLY,
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
        retryable: bool = False,
    ) -> bool:
        """FAILED unless already final; True only on the transition (so metrics count once).

        `retryable` (the budget ran out, not the plan's fault) lets a redrive run it again.
        """
        values: dict[str, Any] = {
            **_plan_fields(plan),
            "kind": "plan",
            "status": FAILED,
            "retryable": retryable,
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
            remove=_NON_FINAL_ONLY,
        )

    def defer(self, plan_id: str, *, attempt: int, deadline_at: datetime, now: datetime) -> bool:
        """Look at a still-SUBMITTED attempt again at `deadline_at` (the reconciler's snooze)."""
        return self._update(
            plan_id,
            {"deadline_at": iso(deadline_at), "updated_at": iso(now)},
            "#status = :submitted AND #attempts = :attempt",
            {":submitted": SUBMITTED, ":attempt": attempt},
        )

    def overdue(self, now: datetime, limit: int) -> list[PlanRecord]:
        """Non-final plans whose deadline has passed, oldest deadline first (an index Query:
        never a Scan)."""
        if not self._status_index:
            raise ValueError("StatusTable needs the status index's name to query it")
        records: list[PlanRecord] = []
        kwargs: dict[str, Any] = {
            "IndexName": self._status_index,
            "KeyConditionExpression": Key("status").eq(SUBMITTED)
            & Key("deadline_at").lte(iso(now)),
        }
        while len(records) < limit:
            page = self._table.query(**kwargs, Limit=limit - len(records))
            records.extend(PlanRecord.from_item(i) for i in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return records
