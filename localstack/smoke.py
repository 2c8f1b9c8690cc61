"""Check the wiring of the applied local stack on the emulator, end to end through AWS APIs.

Reads `terraform output -json stack` of terraform/envs/local and checks what the emulator can
show without running any Lambda or container:

- an object created under the blueprints prefix (from the stack's ``prefixes``) reaches the
  uploads queue as an S3 event,
  and one outside the prefix does not;
- a message on the success and error topics reaches the success and failure queue as an SNS
  envelope (raw_message_delivery = false);
- every source queue redrives to its own dead-letter queue.

Usage: ``python localstack/smoke.py --endpoint http://127.0.0.1:4566 --outputs outputs.json``.
Exit status 0 when every check passes, 1 otherwise (each failure is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from localrun.client import aws_client


class SmokeError(Exception):
    """A check of the applied stack failed."""


def _drain(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Receive and delete every message currently visible on the queue."""
    bodies: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = got.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def check_upload_notification(s3: Any, sqs: Any, stack: dict[str, Any]) -> str:
    bucket, queue = stack["blueprints_bucket"], stack["queue_urls"]["uploads"]
    prefix = stack["prefixes"]["blueprints"]
    _drain(sqs, queue)
    key = f"{prefix}smoke/{uuid.uuid4().hex}.png"
    s3.put_object(Bucket=bucket, Key=key, Body=b"\x89PNG smoke")
    # Outside the prefix (any other top-level folder): no notification.
    s3.put_object(Bucket=bucket, Key=f"not-{prefix}{uuid.uuid4().hex}.png", Body=b"ignored")
    # Event keys are URL-encoded (moto also encodes the slashes, which S3 leaves as they are).
    keys = [
        unquote_plus(record["s3"]["object"]["key"])
        for body in _drain(sqs, queue)
        for record in body.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated:")
    ]
    if keys != [key]:
        raise SmokeError(f"uploads queue got {keys}, expected exactly [{key!r}]")
    return f"upload under {prefix} -> uploads queue ({key})"


def check_topic(sns: Any, sqs: Any, topic_arn: str, queue_url: str, name: str) -> str:
    _drain(sqs, queue_url)
    marker = uuid.uuid4().hex
    sns.publish(TopicArn=topic_arn, Message=json.dumps({"smoke": marker}))
    envelopes = _drain(sqs, queue_url)
    delivered = [
        e for e in envelopes if e.get("Type") == "Notification" and marker in e.get("Message", "")
    ]
    if len(delivered) != 1 or delivered[0].get("TopicArn") != topic_arn:
        raise SmokeError(f"{name} queue got {envelopes}, expected one SNS envelope from the topic")
    return f"{name} topic -> {name} queue as an SNS envelope"


def check_redrive(sqs: Any, stack: dict[str, Any]) -> str:
    for purpose, url in stack["queue_urls"].items():
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        target = json.loads(attributes["Attributes"]["RedrivePolicy"])["deadLetterTargetArn"]
        dlq_url = stack["dlq_urls"][purpose]
        dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
        if target != dlq["Attributes"]["QueueArn"]:
            raise SmokeError(f"{purpose} queue redrives to {target}, not to its own DLQ")
    return "every source queue redrives to its own DLQ"


def run(endpoint: str, stack: dict[str, Any]) -> list[str]:
    s3, sqs, sns = (aws_client(name, endpoint) for name in ("s3", "sqs", "sns"))
    checks = [
        lambda: check_upload_notification(s3, sqs, stack),
        lambda: check_topic(
            sns, sqs, stack["success_topic_arn"], stack["queue_urls"]["success"], "success"
        ),
        lambda: check_topic(
            sns, sqs, stack["error_topic_arn"], stack["queue_urls"]["failure"], "failure"
        ),
        lambda: check_redrive(sqs, stack),
    ]
    failures = []
    for check in checks:
        try:
            print(f"ok   {check()}")
        except SmokeError as err:
            print(f"FAIL {err}")
            failures.append(str(err))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="http://127.0.0.1:4566")
    parser.add_argument("--outputs", type=Path, required=True, help="terraform output -json stack")
    args = parser.parse_args(argv)
    stack = json.loads(args.outputs.read_text())
    failures = run(args.endpoint, stack)
    print(f"smoke: {4 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
