"""pipeline/status.py: conditional transitions and the reconciler's index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from lambda_harness import REGION, STATUS_INDEX, create_table
from moto import mock_aws

from pipeline.naming import PlanRef
from pipeline.status import StatusTable

T0 = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


@pytest.fixture
def status(env: dict[str, str]) -> Iterator[StatusTable]:
    with mock_aws():
        yield StatusTable(
            create_table(boto3.resource("dynamodb", region_name=REGION)), STATUS_INDEX
        )


def submit(status: StatusTable, plan: PlanRef, attempt: int, at: datetime) -> bool:
    return status.mark_submitted(
        plan,
        attempt=attempt,
        inference_id=f"{plan.plan_id}-{attempt}",
        now=at,
        uploaded_at=T0,
        content_type="image/png",
        size=10,
        endpoint="ep",
        output_location="s3://r/o",
        input_location=plan.uri,
        budget_started_at=T0,
        deadline_at=at + timedelta(minutes=20),
        expires_at=at + timedelta(hours=6),
    )


def fail(status: StatusTable, plan: PlanRef, retryable: bool) -> bool:
    return status.mark_failed(
        plan, error_type="E", message="m", result_uri="s3://r/x", now=T0, retryable=retryable
    )


def test_a_retryable_failure_runs_again_only_for_a_newer_attempt(status: StatusTable) -> None:
    plan = PlanRef("b", "blueprints/a.png", "v1")
    assert submit(status, plan, 2, T0)
    assert fail(status, plan, retryable=True)
    assert not fail(status, plan, retryable=True)  # final once
    assert not submit(status, plan, 2, T0)  # the same attempt again: no
    assert submit(status, plan, 3, T0)  # the redriven next attempt: yes
    record = status.get(plan.plan_id)
    assert record is not None and record.status == "SUBMITTED" and record.attempts == 3


def test_a_client_error_stays_final(status: StatusTable) -> None:
    plan = PlanRef("b", "blueprints/bad.png", "v1")
    assert submit(status, plan, 1, T0)
    assert fail(status, plan, retryable=False)
    assert not submit(status, plan, 2, T0)


def test_overdue_reads_the_index_in_deadline_order_and_final_plans_leave_it(
    status: StatusTable,
) -> None:
    plans = [PlanRef("b", f"blueprints/{i}.png", "v1") for i in range(5)]
    for i, plan in enumerate(plans):
        submit(status, plan, 1, T0 + timedelta(minutes=i))
    fail(status, plans[0], retryable=False)
    now = T0 + timedelta(minutes=23)  # deadlines at 20..24 min: plans 1..3 are due
    due = status.overdue(now, limit=10)
    assert [r.plan.key for r in due] == [p.key for p in plans[1:4]]
    assert [r.plan.key for r in status.overdue(now, limit=2)] == [p.key for p in plans[1:3]]
