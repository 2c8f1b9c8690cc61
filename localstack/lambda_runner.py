"""Local stand-in for Lambda's SQS event source mappings (pollers), against the emulator.

moto 5.2.5 stores event source mappings but runs Lambda code only in Docker, which this machine
lacks; worse, with a mapping *enabled* moto itself receives a queue's messages on every send,
fails to start a container and puts them back, bumping their receive count until the redrive
policy parks them in the DLQ unprocessed. So this runner takes the pollers over:

1. reads every SQS event source mapping from the emulator (``ListEventSourceMappings``) and
   each mapped function's configuration (``GetFunctionConfiguration``: handler, environment,
   timeout, memory, ``CodeSha256``); the code is the zip in ``build/functions/`` whose SHA-256
   equals the deployed ``CodeSha256`` (a stale build is refused, not silently run);
2. serves every SQS mapping, enabled or not (the local root creates them disabled so moto
   leaves the queues alone); one that is enabled is disabled in moto while the runner runs and
   re-enabled when it stops;
3. per mapping, runs up to the mapping's maximum concurrency of pollers
   (``ScalingConfig.MaximumConcurrency``, else the function's reserved concurrency, else
   Lambda's initial five), each with its own warm execution environment, as Lambda runs up to
   that many invocations at once; like Lambda it scales up while there is a backlog (one poller
   at start, one more each time a poller receives a full batch) and not beyond; each
   long-polls the queue, builds the event exactly as Lambda
   does (batch size and batching window from the mapping), and invokes the real handler in its
   worker process (``lambda_worker.py``: the unpacked zip + the runtime's boto3, nothing else
   importable) with the function's environment plus the emulator's endpoint and dummy
   credentials; as in Lambda, a cold start's init (the handler's imports) has up to
   ``INIT_TIMEOUT_S`` before the function timeout starts counting;
4. deletes the records the handler did not list in ``batchItemFailures`` (all of them when the
   handler raised or timed out: none deleted), so failed ones become visible again after the
   visibility timeout and moto's redrive policy moves them to the DLQ after ``maxReceiveCount``;
5. fires the EventBridge schedules of the stack (rules with a ``rate(...)`` expression whose
   target is a Lambda function, e.g. the reconciler): every period, the function gets the
   "Scheduled Event" EventBridge sends (or the target's constant ``Input``), one invocation at
   a time (moto stores the rules but never fires them).

Usage: ``python localstack/lambda_runner.py --emulator-url URL --sagemaker-runtime-url URL
[--functions-dir build/functions]``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from localrun.processes import log_to_stderr

logger = logging.getLogger("localstack.lambda_runner")

WORKER = Path(__file__).with_name("lambda_worker.py")
# What the python3.11 Lambda runtime ships besides the standard library (boto3's closure).
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "jmespath", "six.py")
# Lambda's init phase: the handler's imports get up to 10 s outside the function timeout.
INIT_TIMEOUT_S = 10.0
POLL_WAIT_SECONDS = 2  # long-poll; short so a stop is quick (Lambda uses 20)
# Concurrent batches of a mapping with neither a maximum concurrency nor a reserved concurrency
# (Lambda starts an SQS mapping with five and scales from there).
DEFAULT_CONCURRENCY = 5
BATCH_WINDOW_POLL_SECONDS = 0.2  # between receives while a batching window gathers a batch


RATE_RE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
RATE_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


class RunnerError(Exception):
    """The emulator's mappings or functions cannot be run locally."""


@dataclass(frozen=True)
class Mapping:
    uuid: str
    function_arn: str
    function_name: str
    queue_arn: str
    queue_url: str
    batch_size: int
    batching_window_s: int
    report_batch_item_failures: bool
    was_enabled: bool
    max_concurrency: int


@dataclass(frozen=True)
class Schedule:
    rule_arn: str
    rule_name: str
    function_arn: str
    period_s: int
    input: str | None  # the target's constant JSON input, if any


def rate_seconds(expression: str) -> int | None:
    """The period of an EventBridge ``rate(...)`` expression (None for anything else)."""
    match = RATE_RE.match(expression.strip())
    if not match:
        return None
    return int(match[1]) * RATE_UNIT_S[match[2].rstrip("s")]


def scheduled_event(schedule: Schedule, region: str, now: float) -> dict[str, Any]:
    """EventBridge's "Scheduled Event" (or the target's constant input)."""
    if schedule.input:
        return dict(json.loads(schedule.input))
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": schedule.rule_arn.split(":")[4],
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "region": region,
        "resources": [schedule.rule_arn],
        "detail": {},
    }


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    handler: str
    environment: dict[str, str]
    timeout_s: int
    memory_mb: int
    code_sha256: str
    zip_path: Path
    reserved_concurrency: int | None


def code_sha256(path: Path) -> str:
    """Lambda's ``CodeSha256``: base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def runtime_dir(into: Path) -> Path:
    """A folder with just the packages the Lambda runtime provides, linked from this venv."""
    site = Path(boto3.__file__).resolve().parents[1]
    into.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        if (site / name).exists() and not (into / name).exists():
            (into / name).symlink_to(site / name)
    return into


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the SQS event Lambda passes to a function (field names as Lambda's)."""
    body = message["Body"]
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    message_attributes = {}
    for name, attr in (message.get("MessageAttributes") or {}).items():
        binary = attr.get("BinaryValue")
        message_attributes[name] = {
            "stringValue": attr.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": attr.get("StringListValues", []),
            "binaryListValues": [
                base64.b64encode(b).decode() for b in attr.get("BinaryListValues", [])
            ],
            "dataType": attr["DataType"],
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def records_to_delete(
    records: list[dict[str, Any]], answer: dict[str, Any], report_failures: bool
) -> list[dict[str, Any]]:
    """The records Lambda deletes after an invocation (see "Handling errors" for SQS).

    A function error deletes none. With ``ReportBatchItemFailures``, every record except the
    listed ones; an identifier that is empty or not in the batch fails the whole batch.
    """
    if "error" in answer:
        return []
    result = answer.get("result")
    if not report_failures or not result:
        return records
    if not isinstance(result, dict):
        return records
    failures = result.get("batchItemFailures") or []
    ids = {r["messageId"] for r in records}
    failed: set[str] = set()
    for item in failures:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not ident or ident not in ids:
            logger.warning("invalid batchItemFailures entry %r: the whole batch failed", item)
            return []
        failed.add(ident)
    return [r for r in records if r["messageId"] not in failed]


class Worker:
    """A warm execution environment: one subprocess that imports the handler once."""

    def __init__(self, fn: Function, code_dir: Path, runtime: Path, env: dict[str, str]) -> None:
        self.fn = fn
        self.code_dir = code_dir
        self.runtime = runtime
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.answers: queue.Queue[str | None] = queue.Queue()
        self.lock = threading.Lock()
        self.invocations = 0

    def _start(self) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-S",
                str(WORKER),
                str(self.code_dir),
                str(self.runtime),
                self.fn.handler,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            env=self.env,
            cwd=self.code_dir,
        )
        answers: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                answers.put(line)
            answers.put(None)

        threading.Thread(target=pump, daemon=True, name=f"pump-{self.fn.name}").start()
        self.answers = answers
        logger.info("%s: started worker pid %d (cold start)", self.fn.name, proc.pid)
        return proc

    def _cold_start(self) -> float | None:
        """Start the environment and wait out its init; the time the invocation's clock starts.

        Lambda runs init (the handler module's imports) before the invocation, outside the
        function timeout, for up to INIT_TIMEOUT_S; an init that runs longer is finished inside
        the first invocation's timeout. None when init neither finished nor failed by then."""
        started = time.time()
        self.proc = self._start()
        try:
            line = self.answers.get(timeout=INIT_TIMEOUT_S + self.fn.timeout_s)
        except queue.Empty:
            line = None
        if line is None:
            return None
        return min(time.time(), started + INIT_TIMEOUT_S)

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            clock = started = time.time()
            if self.proc is None or self.proc.poll() is not None:
                clock = self._cold_start()
                if clock is None:
                    self.stop()
                    return {
                        "error": f"Init timed out or crashed after {time.time() - started:.0f} s"
                    }
            deadline = clock + self.fn.timeout_s
            request = {
                "event": event,
                "request_id": str(uuid.uuid4()),
                "deadline_ms": int(deadline * 1000),
            }
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                line = self.answers.get(timeout=max(deadline - time.time(), 0) + 1)
            except (BrokenPipeError, queue.Empty):
                line = None
            self.invocations += 1
            if line is None:  # timed out or crashed: Lambda discards the environment
                self.stop()
                return {"error": f"Task timed out or crashed after {self.fn.timeout_s} s"}
            return json.loads(line)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Runner:
    def __init__(
        self,
        emulator_url: str,
        sagemaker_runtime_url: str | None,
        functions_dir: Path,
        region: str,
        work_dir: Path,
    ) -> None:
        common: dict[str, Any] = {
            "endpoint_url": emulator_url,
            "region_name": region,
            # One connection per poller thread (the default pool of 10 is shared by them all).
            "config": Config(
                retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=64
            ),
        }
        self.lam = boto3.client("lambda", **common)
        self.sqs = boto3.client("sqs", **common)
        self.events = boto3.client("events", **common)
        self.emulator_url = emulator_url
        self.sagemaker_runtime_url = sagemaker_runtime_url
        self.functions_dir = functions_dir.resolve()
        self.region = region
        self.work_dir = work_dir.resolve()  # the workers chdir into their code
        self.stop_event = threading.Event()
        self.mappings: list[Mapping] = []
        self.schedules: list[Schedule] = []
        self.functions: dict[str, Function] = {}
        self.workers: list[Worker] = []
        self.threads: list[threading.Thread] = []
        self.stats: dict[str, dict[str, int]] = {}
        self._stats_lock = threading.Lock()
        self._pollers: dict[str, int] = {}  # mapping uuid -> pollers running

    # ---------------------------------------------------------------- discovery
    def discover(self) -> None:
        zips = {code_sha256(p): p for p in sorted(self.functions_dir.glob("*.zip"))}
        functions: dict[str, Function] = {}
        paginator = self.lam.get_paginator("list_event_source_mappings")
        for page in paginator.paginate():
            for esm in page["EventSourceMappings"]:
                source = esm.get("EventSourceArn", "")
                if not source.startswith("arn:aws:sqs:"):
                    continue
                fn_arn = esm["FunctionArn"]
                if fn_arn not in functions:
                    functions[fn_arn] = self._function(fn_arn, zips)
                fn = functions[fn_arn]
                scaling = esm.get("ScalingConfig") or {}
                _, _, _, _, account, queue_name = source.split(":", 5)
                url = self.sqs.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)[
                    "QueueUrl"
                ]
                self.mappings.append(
                    Mapping(
                        uuid=esm["UUID"],
                        function_arn=fn_arn,
                        function_name=functions[fn_arn].name,
                        queue_arn=source,
                        queue_url=url,
                        batch_size=int(esm.get("BatchSize") or 10),
                        batching_window_s=int(esm.get("MaximumBatchingWindowInSeconds") or 0),
                        report_batch_item_failures="ReportBatchItemFailures"
                        in (esm.get("FunctionResponseTypes") or []),
                        was_enabled=esm.get("State", "Enabled") in ("Enabled", "Enabling"),
                        max_concurrency=int(
                            scaling.get("MaximumConcurrency")
                            or fn.reserved_concurrency
                            or DEFAULT_CONCURRENCY
                        ),
                    )
                )
        if not self.mappings:
            raise RunnerError("no SQS event source mappings on the emulator: is the stack applied?")
        self.schedules = self._schedules()
        for schedule in self.schedules:
            if schedule.function_arn not in functions:
                functions[schedule.function_arn] = self._function(schedule.function_arn, zips)
        self.functions = functions
        for fn in functions.values():
            code = self.work_dir / "functions" / fn.name
            shutil.rmtree(code, ignore_errors=True)
            with zipfile.ZipFile(fn.zip_path) as archive:
                archive.extractall(code)

    def _schedules(self) -> list[Schedule]:
        """Enabled EventBridge rules with a rate expression that target a Lambda function."""
        found = []
        for page in self.events.get_paginator("list_rules").paginate():
            for rule in page["Rules"]:
                expression = rule.get("ScheduleExpression")
                if not expression or rule.get("State", "ENABLED") != "ENABLED":
                    continue
                period = rate_seconds(expression)
                if period is None:
                    logger.warning("%s: %s is not a rate(): not fired", rule["Name"], expression)
                    continue
                targets = self.events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
                for target in targets:
                    if ":lambda:" not in target["Arn"] or ":function:" not in target["Arn"]:
                        continue
                    found.append(
                        Schedule(
                            rule_arn=rule["Arn"],
                            rule_name=rule["Name"],
                            function_arn=target["Arn"],
                            period_s=period,
                            input=target.get("Input"),
                        )
                    )
        return found

    def fire(self, schedule: Schedule, worker: Worker) -> None:
        """Invoke the scheduled function every period (the first one period after start)."""
        name = self.functions[schedule.function_arn].name
        while not self.stop_event.wait(schedule.period_s):
            answer = worker.invoke(scheduled_event(schedule, self.region, time.time()))
            self._count_name(name, invocations=1, errors=int("error" in answer))
            if "error" in answer:
                logger.error("%s (%s): function error: %s", name, schedule.rule_name, answer)
            else:
                logger.info("%s: scheduled run (%s) done", name, schedule.rule_name)

    def _worker(self, fn: Function) -> Worker:
        """A new execution environment of ``fn`` (its process starts at the first invocation)."""
        code = self.work_dir / "functions" / fn.name
        worker = Worker(fn, code, runtime_dir(self.work_dir / "runtime"), self._environment(fn))
        self.workers.append(worker)
        return worker

    def _function(self, arn: str, zips: dict[str, Path]) -> Function:
        cfg = self.lam.get_function_configuration(FunctionName=arn)
        reserved = self.lam.get_function_concurrency(FunctionName=arn).get(
            "ReservedConcurrentExecutions"
        )
        sha = cfg["CodeSha256"]
        if sha not in zips:
            raise RunnerError(
                f"{cfg['FunctionName']}: no zip in {self.functions_dir} has the deployed "
                f"CodeSha256 {sha}; rebuild and redeploy (make local-up)"
            )
        return Function(
            name=cfg["FunctionName"],
            arn=cfg["FunctionArn"],
            handler=cfg["Handler"],
            environment=dict((cfg.get("Environment") or {}).get("Variables") or {}),
            timeout_s=int(cfg.get("Timeout") or 3),
            memory_mb=int(cfg.get("MemorySize") or 128),
            code_sha256=sha,
            zip_path=zips[sha],
            reserved_concurrency=int(reserved) if reserved else None,
        )

    def _environment(self, fn: Function) -> dict[str, str]:
        """What Lambda sets, the function's variables, and the local endpoints."""
        env = {k: os.environ[k] for k in ("PATH", "LANG", "TZ") if k in os.environ}
        env.update(
            {
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
                "AWS_LAMBDA_FUNCTION_NAME": fn.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": "local",
                "LAMBDA_TASK_ROOT": str(self.work_dir / "functions" / fn.name),
                "_HANDLER": fn.handler,
                "LOCAL_FUNCTION_ARN": fn.arn,
                # No X-Ray daemon here (the SDK would only warn about unsent segments).
                "POWERTOOLS_TRACE_DISABLED": "true",
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        env.update(fn.environment)
        # After the function's variables: the code must reach the emulator, never AWS.
        env["AWS_ENDPOINT_URL"] = self.emulator_url
        if self.sagemaker_runtime_url:
            env["AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME"] = self.sagemaker_runtime_url
        return env

    # ---------------------------------------------------------------- moto's own pollers
    def _set_enabled(self, mapping: Mapping, enabled: bool) -> None:
        with contextlib.suppress(ClientError):
            self.lam.update_event_source_mapping(UUID=mapping.uuid, Enabled=enabled)

    # ---------------------------------------------------------------- polling
    def _receive(self, mapping: Mapping) -> list[dict[str, Any]]:
        args: dict[str, Any] = {
            "QueueUrl": mapping.queue_url,
            "AttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        messages = self.sqs.receive_message(
            **args, MaxNumberOfMessages=mapping.batch_size, WaitTimeSeconds=POLL_WAIT_SECONDS
        ).get("Messages", [])
        # Batching window: keep gathering until the batch is full or the window has passed.
        deadline = time.monotonic() + mapping.batching_window_s
        while messages and len(messages) < mapping.batch_size and time.monotonic() < deadline:
            more = self.sqs.receive_message(
                **args, MaxNumberOfMessages=mapping.batch_size - len(messages), WaitTimeSeconds=0
            ).get("Messages", [])
            if more:
                messages.extend(more)
            else:
                time.sleep(BATCH_WINDOW_POLL_SECONDS)
        return messages

    def _count(self, mapping: Mapping, **counts: int) -> None:
        self._count_name(mapping.function_name, **counts)

    def _count_name(self, function_name: str, **counts: int) -> None:
        with self._stats_lock:
            stats = self.stats.setdefault(
                function_name, {"invocations": 0, "records": 0, "deleted": 0, "errors": 0}
            )
            for name, n in counts.items():
                stats[name] += n

    def poll(self, mapping: Mapping, worker: Worker) -> None:
        """One poller of ``mapping``: receive a batch, invoke ``worker``, delete what is done."""
        while not self.stop_event.is_set():
            try:
                messages = self._receive(mapping)
            except ClientError as err:
                logger.warning("%s: receive failed: %s", mapping.function_name, err)
                self.stop_event.wait(1)
                continue
            if not messages:
                continue
            if len(messages) == mapping.batch_size:  # a backlog: scale up while allowed
                self._add_poller(mapping)
            records = [sqs_record(m, mapping.queue_arn, self.region) for m in messages]
            answer = worker.invoke({"Records": records})
            done = records_to_delete(records, answer, mapping.report_batch_item_failures)
            self._count(
                mapping,
                invocations=1,
                records=len(records),
                deleted=len(done),
                errors=int("error" in answer),
            )
            if "error" in answer:
                logger.error("%s: function error: %s", mapping.function_name, answer["error"])
            logger.info(
                "%s: batch of %d, %d done, %d left for redelivery",
                mapping.function_name,
                len(records),
                len(done),
                len(records) - len(done),
            )
            for start in range(0, len(done), 10):
                chunk = done[start : start + 10]
                resp = self.sqs.delete_message_batch(
                    QueueUrl=mapping.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": r["receiptHandle"]}
                        for i, r in enumerate(chunk)
                    ],
                )
                for failed in resp.get("Failed", []):
                    logger.warning("%s: delete failed: %s", mapping.function_name, failed)

    def start(self) -> None:
        self.discover()
        for mapping in self.mappings:
            self._set_enabled(mapping, False)
            self._add_poller(mapping)
            logger.info(
                "polling %s -> %s (batch %d, window %d s, partial failures %s, "
                "up to %d invocations at once)",
                mapping.queue_url,
                mapping.function_name,
                mapping.batch_size,
                mapping.batching_window_s,
                mapping.report_batch_item_failures,
                mapping.max_concurrency,
            )

        for schedule in self.schedules:
            fn = self.functions[schedule.function_arn]
            thread = threading.Thread(
                target=self.fire,
                args=(schedule, self._worker(fn)),
                daemon=True,
                name=f"schedule-{schedule.rule_name}",
            )
            thread.start()
            self.threads.append(thread)
            logger.info(
                "schedule %s -> %s every %d s", schedule.rule_name, fn.name, schedule.period_s
            )

    def _add_poller(self, mapping: Mapping) -> None:
        """One more poller (and execution environment) for ``mapping``, up to its maximum."""
        with self._stats_lock:
            running = self._pollers.get(mapping.uuid, 0)
            if running >= mapping.max_concurrency or self.stop_event.is_set():
                return
            self._pollers[mapping.uuid] = running + 1
            worker = self._worker(self.functions[mapping.function_arn])
            thread = threading.Thread(
                target=self._poll_logged,
                args=(mapping, worker),
                daemon=True,
                name=f"poll-{mapping.function_name}-{running}",
            )
            self.threads.append(thread)
        thread.start()
        if running:
            logger.info("%s: scaled up to %d pollers", mapping.function_name, running + 1)

    def _poll_logged(self, mapping: Mapping, worker: Worker) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll(mapping, worker)
            except Exception:  # keep polling, as Lambda's pollers do
                logger.exception("%s: poller error", mapping.function_name)
                self.stop_event.wait(1)

    def stop(self) -> None:
        with self._stats_lock:  # no poller is added once this is set
            self.stop_event.set()
        for thread in list(self.threads):
            thread.join(timeout=POLL_WAIT_SECONDS + 60)
        for mapping in self.mappings:
            if mapping.was_enabled:
                self._set_enabled(mapping, True)
        for worker in list(self.workers):
            worker.stop()
        logger.info("stopped: %s", json.dumps(self.stats))

    def describe(self) -> dict[str, Any]:
        return {
            "mappings": [
                {
                    "function": m.function_name,
                    "queue_url": m.queue_url,
                    "batch_size": m.batch_size,
                    "batching_window_s": m.batching_window_s,
                    "max_concurrency": m.max_concurrency,
                    "zip": str(self.functions[m.function_arn].zip_path),
                }
                for m in self.mappings
            ],
            "schedules": [
                {
                    "rule": s.rule_name,
                    "function": self.functions[s.function_arn].name,
                    "period_s": s.period_s,
                }
                for s in self.schedules
            ],
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--emulator-url", required=True)
    p.add_argument(
        "--sagemaker-runtime-url", help="localstack/endpoint.py, e.g. http://127.0.0.1:8081"
    )
    p.add_argument("--functions-dir", type=Path, default=Path("build/functions"))
    p.add_argument("--region", default="us-east-1")
    p.add_argument(
        "--work-dir", type=Path, help="where the zips are unpacked (default: a temp dir)"
    )
    p.add_argument("--ready-file", type=Path, help="written (JSON) once every poller runs")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    log_to_stderr(args.log_level)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="lambda-runner-"))
    runner = Runner(
        args.emulator_url, args.sagemaker_runtime_url, args.functions_dir, args.region, work_dir
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    try:
        runner.start()
    except RunnerError as err:
        logger.error("%s", err)
        return 2
    if args.ready_file:
        tmp = args.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(runner.describe(), indent=2), encoding="utf-8")
        tmp.replace(args.ready_file)
    try:
        stopped.wait()
    finally:
        runner.stop()
        if args.ready_file:
            args.ready_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
