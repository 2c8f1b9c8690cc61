"""``make pipeline-status``: the operator's view of the running pipeline.

- each service's health: the model server's and the endpoint's ``/ping``, the runner's ready
  file (not only a pid), and the invocations the endpoint holds on disk;
- plans by status, the oldest plan not final and its age, the stuck ones (not final for longer
  than ``stuck_after_s``): read through the table's (sparse) index on ``status``, a Query; a
  Scan only on a table that has no such index, or for the final counts with ``--all``;
- every source queue's and DLQ's depth: visible, in flight, delayed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .client import plain
from .services import SERVICES, Pipeline

STATUSES = ("SUBMITTED", "COMPLETED", "FAILED")
FINAL = ("COMPLETED", "FAILED")
STUCK_LIST_MAX = 10


def _age_s(item: dict[str, Any], now: datetime) -> float | None:
    stamp = item.get("submitted_at") or item.get("updated_at") or item.get("uploaded_at")
    if not isinstance(stamp, str):
        return None
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (now - moment).total_seconds()


def _query(pipe: Pipeline, index: str, status: str) -> list[dict[str, Any]]:
    return [item for page in _pages(pipe, index, status, count=False) for item in page["Items"]]


def plan_items(
    pipe: Pipeline, count_final: bool = False
) -> tuple[dict[str, int | None], list[dict[str, Any]], str]:
    """Counts by status, the items not final, and how they were read.

    The table's status index is sparse (a plan leaves it when it becomes final), so a Query of
    it finds the plans that are not final; final ones are counted only with ``count_final``
    (a Scan: fine on a local table, not what an operator runs on a large one)."""
    name = pipe.client.index_on("status")
    if name is not None:
        open_items = [plain_item(i) for i in _query(pipe, name, "SUBMITTED")]
        counts: dict[str, int | None] = {"SUBMITTED": len(open_items)}
        how = f"Query on index {name}"
        if count_final:
            scanned = _scan_plans(pipe)
            counts.update({s: sum(i.get("status") == s for i in scanned) for s in FINAL})
            how += "; final plans by a Scan (--all)"
        else:
            counts.update(dict.fromkeys(FINAL))
        return counts, open_items, how
    items = _scan_plans(pipe)
    counts = {s: sum(i.get("status") == s for i in items) for s in STATUSES}
    open_items = [i for i in items if i.get("status") not in FINAL]
    return counts, open_items, "Scan (the table has no index on status)"


def _scan_plans(pipe: Pipeline) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": pipe.stack.table_name,
        "FilterExpression": "kind = :plan",
        "ExpressionAttributeValues": {":plan": {"S": "plan"}},
    }
    while True:
        page = pipe.client.dynamodb.scan(**kwargs)
        items.extend(plain_item(i) for i in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _pages(pipe: Pipeline, index: str, status: str, count: bool = True) -> list[dict[str, Any]]:
    """Every page of a Query of ``index`` for ``status`` (counts only, or the items)."""
    kwargs: dict[str, Any] = {
        "TableName": pipe.stack.table_name,
        "IndexName": index,
        "KeyConditionExpression": "#s = :s",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":s": {"S": status}},
        "Select": "COUNT" if count else "ALL_PROJECTED_ATTRIBUTES",
    }
    pages = []
    while True:
        page = pipe.client.dynamodb.query(**kwargs)
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in item.items()}


def report(pipe: Pipeline, stuck_after_s: float = 300, count_final: bool = False) -> dict[str, Any]:
    sup = pipe.supervisor
    processes = {
        name: {"pid": sup.pid(name), "running": sup.running(name), "healthy": sup.healthy(name)}
        for name in SERVICES
    }
    held = pipe.dir / "endpoint-queue"
    processes["endpoint"]["invocations_held"] = (
        len(list(held.glob("*.json"))) if held.exists() else 0
    )
    now = datetime.now(UTC)
    counts, open_items, how = plan_items(pipe, count_final)
    aged = sorted(
        ((age, item) for item in open_items if (age := _age_s(item, now)) is not None),
        key=lambda pair: -pair[0],
    )
    oldest = None
    if aged:
        age, item = aged[0]
        oldest = {"key": item.get("key"), "status": item.get("status"), "age_s": round(age)}
    stuck = [
        {
            "key": item.get("key"),
            "status": item.get("status"),
            "age_s": round(age),
            "attempts": item.get("attempts"),
            "last_error": (item.get("last_error") or "")[:200] or None,
        }
        for age, item in aged
        if age > stuck_after_s
    ]
    return {
        "processes": processes,
        "plans": {
            "by_status": counts,
            "read_by": how,
            "oldest_not_final": oldest,
            f"stuck_over_{stuck_after_s:.0f}s": len(stuck),
            "stuck": stuck[:STUCK_LIST_MAX],
        },
        "queues": pipe.client.queue_depths(),
    }


def render(view: dict[str, Any]) -> str:
    """The report as an operator reads it: one line per service, plan counts, queues."""
    lines = ["services:"]
    for name, proc in view["processes"].items():
        state = "healthy" if proc["healthy"] else ("UNHEALTHY" if proc["running"] else "DOWN")
        extra = (
            f", {proc['invocations_held']} invocations held" if "invocations_held" in proc else ""
        )
        lines.append(f"  {name:<9} {state:<9} pid {proc['pid']}{extra}")
    plans = view["plans"]
    counts = ", ".join(
        f"{s} {'(not indexed: --all)' if n is None else n}" for s, n in plans["by_status"].items()
    )
    lines.append(f"plans: {counts} (read by {plans['read_by']})")
    oldest = plans["oldest_not_final"]
    if oldest:
        lines.append(f"  oldest not final: {oldest['key']} {oldest['status']} {oldest['age_s']} s")
    stuck_key = next(k for k in plans if k.startswith("stuck_over_"))
    lines.append(f"  {stuck_key.replace('_', ' ')}: {plans[stuck_key]}")
    for item in plans["stuck"]:
        error = f" last error: {item['last_error']}" if item["last_error"] else ""
        lines.append(
            f"    {item['key']} {item['status']} {item['age_s']} s, "
            f"attempts {item['attempts']}{error}"
        )
    lines.append("queues (visible / in flight / delayed):")
    for name, depth in view["queues"].items():
        flag = "  <- parked messages" if name.startswith("dlq:") and depth["visible"] else ""
        counts = f"{depth['visible']:>5} {depth['in_flight']:>5} {depth['delayed']:>5}"
        lines.append(f"  {name:<16} {counts}{flag}")
    return "\n".join(lines)
