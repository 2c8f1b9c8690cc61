"""Replay the pipeline's dead-letter queues into their source queues (`make redrive`).

Against AWS or the local emulator alike: it only receives, sends and deletes SQS messages.
Each DLQ of the stack (`terraform output -json stack`: `dlq_urls`, `queue_urls`, by purpose)
is moved, message by message, into its source queue. What comes back is processed again:
- a plan whose retry budget ran out (FAILED, `RetriesExhausted`) left its next attempt in the
  uploads DLQ without a budget; the trigger lets that newer attempt run it with a fresh one;
- S3 notifications, callbacks and malformed messages go back as they were (a malformed one
  returns to the DLQ after the queue's maxReceiveCount).
A message is deleted from the DLQ only after it was sent, so an interrupted run loses
nothing (at worst one message is replayed twice, which idempotency absorbs).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

log = logging.getLogger("redrive")


def redrive(sqs: Any, dlq_url: str, queue_url: str, limit: int | None = None) -> int:
    """Move up to `limit` messages (all by default) from `dlq_url` to `queue_url`."""
    moved = 0
    while limit is None or moved < limit:
        batch = min(10, limit - moved) if limit is not None else 10
        got = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=batch,
            VisibilityTimeout=60,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not got:
            break
        for message in got:
            params: dict[str, Any] = {"QueueUrl": queue_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                params["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**params)
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stack",
        required=True,
        help="`terraform output -json stack` of the environment (a file, or - for stdin)",
    )
    parser.add_argument("--endpoint-url", help="the local emulator's URL (omit for AWS)")
    parser.add_argument("--only", help="one purpose: uploads, success or failure")
    parser.add_argument("--limit", type=int, help="at most this many messages per queue")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    import boto3

    if args.stack == "-":
        text = sys.stdin.read()
    else:
        with open(args.stack, encoding="utf-8") as handle:
            text = handle.read()
    stack = json.loads(text)
    kwargs: dict[str, Any] = {}
    if args.endpoint_url:
        # The emulator takes any credentials; never the operator's real ones.
        kwargs = {
            "endpoint_url": args.endpoint_url,
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
            "region_name": stack.get("region") or "us-east-1",
        }
    sqs = boto3.client("sqs", **kwargs)
    total = 0
    for purpose, dlq_url in sorted(stack["dlq_urls"].items()):
        if args.only and purpose != args.only:
            continue
        moved = redrive(sqs, dlq_url, stack["queue_urls"][purpose], args.limit)
        log.info("%s: %d message(s) replayed from %s", purpose, moved, dlq_url)
        total += moved
    log.info("replayed %d message(s) in all", total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
