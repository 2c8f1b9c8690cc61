"""What became of an upload: the pipeline's status item, found by key, never by a Scan.

The pipeline keeps one item per uploaded object version, `id = plan#<plan id>`, with the plan
id a hash of bucket, key and version (functions/pipeline/naming.py; a test checks that the two
agree). So `s3://bucket/key` -> HeadObject (its version id, or ETag on an unversioned bucket)
-> plan id -> GetItem. A key that is gone from the bucket is looked up in the table's
`source_uri + uploaded_at` index (newest upload); `summary` Queries the `status + deadline_at`
index, which holds the plans not final yet (final plans leave it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import DetectorError
from .s3url import parse_s3_url

PLAN_PREFIX = "plan#"
NOT_FINAL = ("SUBMITTED",)  # the states a plan can wait in (COMPLETED, FAILED are final)


class StatusLookupError(DetectorError):
    """The status cannot be asked for: no table named, or the plan is unknown."""


def plan_id(bucket: str, key: str, revision: str | None) -> str:
    """The pipeline's id of one upload: sha256 of bucket, key and version id (or ETag)."""
    rev = (revision or "").strip('"')
    return hashlib.sha256(f"{bucket}\n{key}\n{rev}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StackNames:
    """The table and its indexes, from `terraform output -json stack` or given one by one."""

    table: str
    status_index: str | None = None
    source_index: str | None = None

    @classmethod
    def from_outputs(cls, path: Path) -> StackNames:
        out = json.loads(path.read_text(encoding="utf-8"))
        out = out.get("value", out)  # `terraform output -json` of the whole root nests it
        if "stack" in out:
            out = out["stack"].get("value", out["stack"])
        if "table_name" not in out:
            raise StatusLookupError(f"{path}: no table_name in these outputs")
        return cls(out["table_name"], out.get("status_index_name"), out.get("source_index_name"))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class StatusClient:
    """Lookups in the status table (`dynamodb` a boto3 resource, `s3` a boto3 client)."""

    def __init__(self, names: StackNames, dynamodb: Any, s3: Any) -> None:
        self.names = names
        self.table = dynamodb.Table(names.table)
        self.s3 = s3

    def by_plan_id(self, pid: str) -> dict[str, Any] | None:
        item = self.table.get_item(Key={"id": PLAN_PREFIX + pid}, ConsistentRead=True)
        return _plain(item["Item"]) if "Item" in item else None

    def by_uri(self, uri: str, version_id: str | None = None) -> dict[str, Any] | None:
        """The item of the object now at `uri` (or of `version_id`); a deleted key: the newest
        upload recorded for it, through the source index."""
        from botocore.exceptions import ClientError

        bucket, key = parse_s3_url(uri, s3_only=True)
        try:
            head = self.s3.head_object(
                Bucket=bucket, Key=key, **({"VersionId": version_id} if version_id else {})
            )
        except ClientError as err:
            if err.response["Error"]["Code"] not in ("404", "NoSuchKey", "NotFound"):
                raise
            return self._newest_by_source(f"s3://{bucket}/{key}")
        revision = head.get("VersionId") or head.get("ETag")
        if revision == "null":  # the version of an object written before versioning was on
            revision = head.get("ETag")
        return self.by_plan_id(plan_id(bucket, key, revision))

    def _newest_by_source(self, uri: str) -> dict[str, Any] | None:
        if not self.names.source_index:
            raise StatusLookupError(
                f"{uri} is not in its bucket and no source index was named (--source-index)"
            )
        from boto3.dynamodb.conditions import Key

        page = self.table.query(
            IndexName=self.names.source_index,
            KeyConditionExpression=Key("source_uri").eq(uri),
            ScanIndexForward=False,
            Limit=1,
        )
        items = page.get("Items", [])
        return _plain(items[0]) if items else None

    def summary(self, now: datetime | None = None) -> dict[str, Any]:
        """Counts of the plans not final by state, and the oldest of them (by upload)."""
        if not self.names.status_index:
            raise StatusLookupError("no status index named (--status-index or --outputs)")
        from boto3.dynamodb.conditions import Key

        counts: dict[str, int] = {}
        oldest: dict[str, Any] | None = None
        for state in NOT_FINAL:
            kwargs: dict[str, Any] = {
                "IndexName": self.names.status_index,
                "KeyConditionExpression": Key("status").eq(state),
            }
            counts[state] = 0
            while True:
                page = self.table.query(**kwargs)
                for item in page.get("Items", []):
                    counts[state] += 1
                    if oldest is None or item.get("uploaded_at", "") < oldest.get(
                        "uploaded_at", ""
                    ):
                        oldest = item
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        out: dict[str, Any] = {"not_final": counts, "oldest_not_final": None}
        if oldest is not None:
            out["oldest_not_final"] = {
                k: _plain(oldest.get(k))
                for k in ("source_uri", "status", "attempts", "uploaded_at", "last_error")
                if oldest.get(k) is not None
            }
            uploaded = oldest.get("uploaded_at")
            if uploaded:
                then = datetime.fromisoformat(str(uploaded).replace("Z", "+00:00"))
                age = ((now or datetime.now(UTC)) - then).total_seconds()
                out["oldest_not_final"]["age_s"] = round(age, 1)
        return out


def describe(item: Mapping[str, Any]) -> list[str]:
    """The lines `status` prints for one plan: state, attempts, timings, where, last error."""
    lines = [f"{item.get('source_uri', '?')}: {item.get('status', '?')}"]
    lines.append(f"  plan id      {str(item.get('id', '')).removeprefix(PLAN_PREFIX)}")
    if item.get("version_id"):
        lines.append(f"  version      {item['version_id']}")
    lines.append(f"  attempts     {item.get('attempts', 0)}")
    for field in ("uploaded_at", "submitted_at", "completed_at", "failed_at", "updated_at"):
        if item.get(field):
            lines.append(f"  {field:<12} {item[field]}")
    if item.get("room_count") is not None:
        lines.append(f"  rooms        {item['room_count']}")
    if item.get("result_uri"):
        what = "failure doc" if item.get("status") == "FAILED" else "result"
        lines.append(f"  {what:<12} {item['result_uri']}")
    if item.get("output_location"):
        lines.append(f"  output       {item['output_location']}")
    if item.get("error_type"):
        lines.append(f"  error        {item['error_type']}: {item.get('error_message', '')}")
    if item.get("last_error"):
        lines.append(f"  last error   {item['last_error']}")
    return lines
