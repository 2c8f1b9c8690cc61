"""`location-detector status`: a plan's status item by S3 key or plan id, never a Scan.

Against the project's emulator as a process (moto server): a versioned bucket and the status
table with the two indexes the stack defines, items written as the pipeline writes them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from detector.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from detector.plan_status import plan_id
from localrun.client import LOCAL_CREDENTIALS_ENV
from pipeline.naming import PlanRef

TABLE, STATUS_INDEX, SOURCE_INDEX = "plans-test", "status-deadline", "source-uploaded"
BUCKET = "blueprints-test"


@pytest.fixture(scope="module")
def aws(emulator, monkeypatch_module) -> dict[str, Any]:
    for name, value in LOCAL_CREDENTIALS_ENV.items():
        monkeypatch_module.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=emulator)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    ddb = boto3.client("dynamodb", endpoint_url=emulator)
    attrs = ["id", "status", "deadline_at", "source_uri", "uploaded_at"]
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attrs],
        GlobalSecondaryIndexes=[
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": h, "KeyType": "HASH"},
                    {"AttributeName": r, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, h, r in (
                (STATUS_INDEX, "status", "deadline_at"),
                (SOURCE_INDEX, "source_uri", "uploaded_at"),
            )
        ],
    )
    return {
        "url": emulator,
        "s3": s3,
        "table": boto3.resource("dynamodb", endpoint_url=emulator).Table(TABLE),
    }


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture
def calls() -> Iterator[list[str]]:
    """Every DynamoDB operation the command makes (boto3's default session, in-process)."""
    seen: list[str] = []
    boto3.setup_default_session()
    handler = lambda model, **_: seen.append(model.name)  # noqa: E731
    boto3.DEFAULT_SESSION.events.register("before-call.dynamodb", handler)
    yield seen
    boto3.DEFAULT_SESSION.events.unregister("before-call.dynamodb", handler)


def _upload(aws: dict[str, Any], key: str, **item: Any) -> dict[str, Any]:
    """Put an object and its status item as the pipeline writes it (id from its own naming)."""
    put = aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=b"plan bytes " + key.encode())
    ref = PlanRef(BUCKET, key, put["VersionId"], put["ETag"])
    record = {
        "id": f"plan#{ref.plan_id}",
        "kind": "plan",
        "bucket": BUCKET,
        "key": key,
        "version_id": put["VersionId"],
        "source_uri": ref.uri,
        **item,
    }
    aws["table"].put_item(Item=record)
    return record


def test_plan_id_is_the_pipelines(aws):
    ref = PlanRef("b", "blueprints/x.png", "v1", '"etag"')
    assert plan_id("b", "blueprints/x.png", "v1") == ref.plan_id
    assert plan_id("b", "k", '"e"') == PlanRef("b", "k", None, '"e"').plan_id


def test_status_by_key_and_by_plan_id(aws, calls, capsys):
    done = _upload(
        aws,
        "blueprints/a/done.png",
        status="COMPLETED",
        attempts=1,
        uploaded_at="2026-11-30T10:00:00.000Z",
        completed_at="2026-11-30T10:00:03.000Z",
        result_uri="s3://results/results/blueprints/a/done.png.json",
        room_count=7,
    )
    args = ["--table", TABLE, "--endpoint-url", aws["url"]]
    assert main(["status", f"s3://{BUCKET}/blueprints/a/done.png", *args]) == EXIT_OK
    out = capsys.readouterr().out
    assert "COMPLETED" in out and "rooms        7" in out and "done.png.json" in out
    assert main(["status", done["id"].removeprefix("plan#"), *args, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["attempts"] == 1
    # a new version of the same key is another plan: not picked up yet
    aws["s3"].put_object(Bucket=BUCKET, Key="blueprints/a/done.png", Body=b"v2")
    assert main(["status", f"s3://{BUCKET}/blueprints/a/done.png", *args]) == EXIT_FAILED
    assert "no status recorded" in capsys.readouterr().out
    assert "Scan" not in calls and calls.count("GetItem") == 3


def test_a_deleted_key_is_found_through_the_source_index(aws, calls, capsys):
    _upload(
        aws,
        "blueprints/gone.png",
        status="FAILED",
        attempts=4,
        uploaded_at="2026-11-30T09:00:00.000Z",
        error_type="RetriesExhausted",
        error_message="server error (500)",
    )
    aws["s3"].delete_object(Bucket=BUCKET, Key="blueprints/gone.png")
    uri = f"s3://{BUCKET}/blueprints/gone.png"
    base = ["status", uri, "--table", TABLE, "--endpoint-url", aws["url"]]
    assert main(base) == EXIT_USAGE  # no index named: says so rather than Scan
    assert "source index" in capsys.readouterr().err
    assert main([*base, "--source-index", SOURCE_INDEX]) == EXIT_OK
    assert "RetriesExhausted: server error (500)" in capsys.readouterr().out
    assert "Scan" not in calls and "Query" in calls


def test_summary_counts_plans_not_final_and_names_the_oldest(aws, tmp_path, calls, capsys):
    for i, uploaded in enumerate(["2026-11-30T08:00:00.000Z", "2026-11-30T07:30:00.000Z"]):
        _upload(
            aws,
            f"blueprints/wait-{i}.png",
            status="SUBMITTED",
            attempts=2,
            uploaded_at=uploaded,
            deadline_at="2026-11-30T12:00:00.000Z",
            last_error="server error (503)",
        )
    outputs = tmp_path / "outputs.json"  # what `terraform output -json stack` writes
    outputs.write_text(
        json.dumps(
            {"table_name": TABLE, "status_index_name": STATUS_INDEX, "source_index_name": "x"}
        )
    )
    args = ["status", "--summary", "--outputs", str(outputs), "--endpoint-url", aws["url"]]
    assert main(args) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert summary["not_final"] == {"SUBMITTED": 2}
    oldest = summary["oldest_not_final"]
    assert oldest["source_uri"].endswith("wait-1.png") and oldest["last_error"]
    assert oldest["age_s"] > 0
    assert calls == ["Query"]


def test_status_needs_a_table(capsys, monkeypatch):
    monkeypatch.delenv("LOCATION_DETECTOR_OUTPUTS", raising=False)
    assert main(["status", "s3://b/k"]) == EXIT_USAGE
    assert "--table" in capsys.readouterr().err


def test_report_of_an_s3_results_prefix_draws_overlays_from_the_plans(
    aws, tmp_path, small_plan, capsys
):
    """`report s3://bucket/results/`: documents listed and read from S3, each overlay drawn
    from the plan its `source.uri` names (as the pipeline writes them)."""
    import cv2

    plan = tmp_path / "plan.png"
    cv2.imwrite(str(plan), small_plan.image)
    assert main(["detect", str(plan), "--out", str(tmp_path / "plan.json")]) == EXIT_OK
    doc = json.loads((tmp_path / "plan.json").read_text())
    key = "blueprints/site/plan.png"
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=plan.read_bytes())
    doc["source"]["uri"] = f"s3://{BUCKET}/{key}"
    aws["s3"].put_object(Bucket=BUCKET, Key=f"results/{key}.json", Body=json.dumps(doc))
    aws["s3"].put_object(Bucket=BUCKET, Key="results/notes.txt", Body=b"not json: skipped")
    page = tmp_path / "report.html"
    args = ["report", f"s3://{BUCKET}/results/", "--out", str(page), "--endpoint-url", aws["url"]]
    assert main(args) == EXIT_OK
    html = page.read_text()
    assert html.count('<section class="plan"') == 1
    assert 'class="thumb"' in html and "data:image/jpeg;base64," in html
