"""The boto3 calls a user of the pipeline makes: upload, wait for the result, look up status."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .processes import PipelineError
from .stack import REGION, Stack

# Any credentials do for the emulator; named once here.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
LOCAL_CREDENTIALS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
}


def aws_client(service: str, emulator_url: str, max_attempts: int = 3) -> Any:
    """A boto3 client of the emulator (`max_attempts=1`: an error is seen, not retried)."""
    return boto3.client(
        service,
        endpoint_url=emulator_url,
        region_name=REGION,
        config=Config(retries={"max_attempts": max_attempts, "mode": "standard"}),
        **LOCAL_CREDENTIALS,
    )


def plain(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as plain JSON."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return float(inner) if "." in inner else int(inner)
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    if kind == "L":
        return [plain(v) for v in inner]
    return inner


class Client:
    """A user's view of the local stack, through the emulator's AWS APIs."""

    def __init__(self, emulator_url: str, stack: Stack) -> None:
        self.emulator_url = emulator_url
        self.stack = stack
        self.s3 = aws_client("s3", emulator_url)
        self.sqs = aws_client("sqs", emulator_url)
        self.sagemaker = aws_client("sagemaker", emulator_url)
        self.dynamodb = aws_client("dynamodb", emulator_url)
        self.lam = aws_client("lambda", emulator_url)

    def upload(self, key: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """``put_object`` into the blueprints bucket; returns S3's answer (``VersionId``)."""
        extra = {"ContentType": content_type} if content_type else {}
        return dict(
            self.s3.put_object(Bucket=self.stack.blueprints_bucket, Key=key, Body=data, **extra)
        )

    def result(self, key: str) -> dict[str, Any] | None:
        """The final document of the upload at ``key``, or None while there is none."""
        try:
            body = self.s3.get_object(
                Bucket=self.stack.results_bucket, Key=self.stack.result_key(key)
            )["Body"]
        except ClientError as err:
            if err.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            return None
        return dict(json.loads(body.read()))

    def wait_result(self, key: str, timeout: float = 120) -> dict[str, Any]:
        """The final document once it exists (polls like a client)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            doc = self.result(key)
            if doc is not None:
                return doc
            time.sleep(0.25)
        raise PipelineError(
            f"no s3://{self.stack.results_bucket}/{self.stack.result_key(key)} after "
            f"{timeout:.0f} s: see the logs in .local/pipeline/"
        )

    def status_record(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The plan's DynamoDB status item (``plan#<plan id>``, id from the inference id)."""
        inference_id = (doc.get("inference") or {}).get("inference_id")
        if inference_id:
            plan_id = inference_id.rsplit("-", 1)[0]
            item = self.dynamodb.get_item(
                TableName=self.stack.table_name, Key={"id": {"S": f"plan#{plan_id}"}}
            ).get("Item", {})
        else:  # refused before any inference: find it by its S3 URI
            items = self.plan_items_by_uri((doc.get("source") or {}).get("uri", ""))
            item = items[-1] if items else {}
        return {k: plain(v) for k, v in sorted(item.items())}

    def index_on(self, attribute: str) -> str | None:
        """The name of the table's global secondary index keyed on ``attribute``, if any."""
        table = self.dynamodb.describe_table(TableName=self.stack.table_name)["Table"]
        for index in table.get("GlobalSecondaryIndexes") or []:
            if any(
                k["KeyType"] == "HASH" and k["AttributeName"] == attribute
                for k in index["KeySchema"]
            ):
                return str(index["IndexName"])
        return None

    def plan_items_by_uri(self, uri: str) -> list[dict[str, Any]]:
        """Every status item of uploads to ``uri`` (one per version), oldest first: a Query of
        the index on ``source_uri`` (a Scan only on a table without one)."""
        items: list[dict[str, Any]] = []
        index = self.index_on("source_uri")
        values = {":uri": {"S": uri}, ":kind": {"S": "plan"}}
        kwargs: dict[str, Any] = {"TableName": self.stack.table_name}
        if index:
            call = self.dynamodb.query
            kwargs.update(
                IndexName=index,
                KeyConditionExpression="source_uri = :uri",
                FilterExpression="kind = :kind",
                ExpressionAttributeValues=values,
            )
        else:
            call = self.dynamodb.scan
            kwargs.update(
                FilterExpression="source_uri = :uri AND kind = :kind",
                ExpressionAttributeValues=values,
            )
        while True:
            page = call(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(items, key=lambda i: i.get("uploaded_at", {}).get("S", ""))

    def status_of(self, key: str) -> dict[str, Any]:
        """The status item of the latest upload at ``key`` ({} if none yet)."""
        uri = f"s3://{self.stack.blueprints_bucket}/{key}"
        return self.status_record({"source": {"uri": uri}})

    def queue_depths(self) -> dict[str, dict[str, int]]:
        """Visible, in-flight and delayed messages of every source queue and DLQ."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        depths = {}
        for kind, urls in (("queue", self.stack.queue_urls), ("dlq", self.stack.dlq_urls)):
            for name, url in urls.items():
                attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)[
                    "Attributes"
                ]
                depths[f"{kind}:{name}"] = {
                    "visible": int(attrs.get(names[0], 0)),
                    "in_flight": int(attrs.get(names[1], 0)),
                    "delayed": int(attrs.get(names[2], 0)),
                }
        return depths
