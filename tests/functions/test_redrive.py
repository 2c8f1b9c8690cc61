"""functions/redrive.py: `make redrive` moves each DLQ's messages back to its source queue."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from lambda_harness import REGION
from moto import mock_aws

import redrive


def test_every_dlq_is_replayed_into_its_own_queue(env: dict[str, str], tmp_path: Path) -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        stack = {"queue_urls": {}, "dlq_urls": {}}
        for purpose in ("uploads", "success", "failure"):
            stack["queue_urls"][purpose] = sqs.create_queue(QueueName=purpose)["QueueUrl"]
            stack["dlq_urls"][purpose] = sqs.create_queue(QueueName=f"{purpose}-dlq")["QueueUrl"]
        for i in range(12):  # more than one receive batch
            sqs.send_message(QueueUrl=stack["dlq_urls"]["uploads"], MessageBody=f"plan {i}")
        sqs.send_message(QueueUrl=stack["dlq_urls"]["failure"], MessageBody="notification")
        outputs = tmp_path / "stack.json"
        outputs.write_text(json.dumps(stack))

        assert redrive.main(["--stack", str(outputs)]) == 0

        def bodies(url: str) -> list[str]:
            got = []
            while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            ):
                got += [m["Body"] for m in batch]
                for m in batch:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            return got

        assert sorted(bodies(stack["queue_urls"]["uploads"])) == sorted(
            f"plan {i}" for i in range(12)
        )
        assert bodies(stack["queue_urls"]["failure"]) == ["notification"]
        assert all(bodies(url) == [] for url in stack["dlq_urls"].values())
