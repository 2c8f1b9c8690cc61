"""Local stand-in for a SageMaker asynchronous endpoint's runtime.

moto 5.2.5 accepts ``InvokeEndpointAsync`` but runs nothing and writes nothing. This HTTP
server answers the same REST call (botocore's ``sagemaker-runtime`` model:
``POST /endpoints/{EndpointName}/async-invocations``, parameters in ``X-Amzn-SageMaker-*``
headers, ``202`` with ``InferenceId`` in the body and ``OutputLocation`` / ``FailureLocation``
in headers), so the real trigger Lambda talks to it through
``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME``. Then, in the background, it does what SageMaker does:

1. reads the endpoint's async configuration from the emulator (``DescribeEndpoint`` ->
   ``DescribeEndpointConfig``: ``S3OutputPath``, ``S3FailurePath``, success and error topics);
2. reads the ``InputLocation`` object from the emulator's S3;
3. ``POST``s it to the real container (``model/serve``) at ``/invocations``;
4. writes the response body to ``<S3OutputPath>/<extension>/<Filename>`` on 200, else the error
   body to ``<S3FailurePath>/<extension>/<stem>-error.out``;
5. publishes SageMaker's notification (``eventName: InferenceResult``, ``invocationStatus``
   ``Completed`` with ``responseParameters.outputLocation``, or ``Failed`` with
   ``failureReason``) to the success or error SNS topic, whose SQS subscriptions moto delivers.

Accepted invocations are durable, as in SageMaker's internal queue: with ``--queue-dir`` each one
is written to disk before the ``202`` and removed once its notification is published; at start
the stand-in resumes every invocation left there (a crash or a restart loses none; one that was
running may run again: delivery is at least once).

Usage: ``python localstack/endpoint.py --emulator-url URL --container-url URL [--port 8081]
[--queue-dir DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from detector.s3url import parse_s3_url
from localrun.processes import log_to_stderr

logger = logging.getLogger("localstack.endpoint")

PATH_RE = re.compile(r"^/endpoints/(?P<name>[^/]+)/async-invocations$")
HEADER = "X-Amzn-SageMaker-"
# The API's own limits (botocore's sagemaker-runtime model).
MAX_INFERENCE_ID = 64
DEFAULT_TTL_SECONDS = 21600
DEFAULT_TIMEOUT_SECONDS = 900
# How much of a model's error body SageMaker quotes in failureReason (it truncates too).
REASON_BODY_CHARS = 1000


class EndpointError(Exception):
    """An invocation SageMaker would refuse synchronously (answered 4xx, nothing queued)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class AsyncConfig:
    """The parts of an endpoint configuration's ``AsyncInferenceConfig`` the runtime uses."""

    output_path: str
    failure_path: str | None
    success_topic: str | None
    error_topic: str | None
    max_concurrency: int


@dataclass
class Invocation:
    endpoint: str
    inference_id: str
    input_location: str
    content_type: str | None
    accept: str | None
    custom_attributes: str | None
    output_location: str
    failure_location: str | None
    config: AsyncConfig
    ttl_seconds: int
    timeout_seconds: int
    headers: dict[str, str]  # the request's SageMaker headers, kept to resume it
    received: datetime = field(default_factory=lambda: datetime.now(UTC))


def iso(ts: datetime) -> str:
    """SageMaker's timestamp format: ISO 8601 UTC with milliseconds and a Z."""
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def join_s3(prefix: str, *parts: str) -> str:
    return "/".join([prefix.rstrip("/"), *[p.strip("/") for p in parts if p]])


def output_locations(
    config: AsyncConfig, inference_id: str, filename: str | None, extension: str | None
) -> tuple[str, str | None]:
    """Where SageMaker puts the ``.out`` and the error of one invocation.

    ``Filename`` names the output (default: the inference id + ``.out``); the failure object is
    the same stem + ``-error.out``; ``S3OutputPathExtension`` is a folder below both paths.
    """
    name = filename or f"{inference_id}.out"
    stem = name[: -len(".out")] if name.endswith(".out") else name.rsplit(".", 1)[0]
    output = join_s3(config.output_path, extension or "", name)
    failure = (
        join_s3(config.failure_path, extension or "", f"{stem}-error.out")
        if config.failure_path
        else None
    )
    return output, failure


def failure_reason(status: int, body: bytes) -> str:
    """SageMaker's wording: every model error is a ``ClientError`` naming the HTTP status."""
    kind = "client" if 400 <= status < 500 else "server"
    text = body.decode("utf-8", errors="replace")[:REASON_BODY_CHARS]
    return (
        f'ClientError: Received {kind} error ({status}) from primary with message "{text}". '
        "See the SageMaker Endpoint logs in your account for more information."
    )


class AsyncEndpointRuntime:
    """Accepts invocations and runs them on the container, one pool per endpoint."""

    def __init__(
        self, emulator_url: str, container_url: str, region: str, queue_dir: Path | None = None
    ) -> None:
        cfg = Config(retries={"max_attempts": 3, "mode": "standard"})
        common: dict[str, Any] = {
            "endpoint_url": emulator_url,
            "region_name": region,
            "config": cfg,
        }
        self.sagemaker = boto3.client("sagemaker", **common)
        self.s3 = boto3.client("s3", **common)
        self.sns = boto3.client("sns", **common)
        self.container_url = container_url.rstrip("/")
        self.region = region
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self.queue_dir = queue_dir
        if queue_dir is not None:
            queue_dir.mkdir(parents=True, exist_ok=True)
        self.completed = 0
        self.failed = 0

    # ---------------------------------------------------------------- control plane
    def async_config(self, endpoint: str) -> AsyncConfig:
        try:
            desc = self.sagemaker.describe_endpoint(EndpointName=endpoint)
        except ClientError as err:
            raise EndpointError(
                "ValidationError", f"Endpoint {endpoint} not found: {err}", 400
            ) from err
        if desc.get("EndpointStatus") not in (None, "InService", "Updating"):
            raise EndpointError(
                "ValidationError", f"Endpoint {endpoint} is {desc['EndpointStatus']}", 400
            )
        config = self.sagemaker.describe_endpoint_config(
            EndpointConfigName=desc["EndpointConfigName"]
        )
        async_cfg = config.get("AsyncInferenceConfig")
        if not async_cfg:
            raise EndpointError(
                "ValidationError", f"Endpoint {endpoint} is not an asynchronous endpoint", 400
            )
        out = async_cfg["OutputConfig"]
        notes = out.get("NotificationConfig") or {}
        client = async_cfg.get("ClientConfig") or {}
        return AsyncConfig(
            output_path=out["S3OutputPath"],
            failure_path=out.get("S3FailurePath"),
            success_topic=notes.get("SuccessTopic"),
            error_topic=notes.get("ErrorTopic"),
            max_concurrency=int(client.get("MaxConcurrentInvocationsPerInstance") or 1),
        )

    def submit(self, endpoint: str, headers: dict[str, str]) -> Invocation:
        """Validate, store and queue one ``InvokeEndpointAsync``; raises ``EndpointError``
        (4xx, nothing stored). Once this returns, the invocation survives a crash."""
        inv = self._invocation(endpoint, headers)
        self._store(inv)
        self._enqueue(inv)
        logger.info(
            "accepted %s: %s -> %s",
            inv.inference_id,
            inv.input_location,
            inv.output_location,
            extra={"endpoint": endpoint},
        )
        return inv

    def _invocation(
        self, endpoint: str, headers: dict[str, str], received: datetime | None = None
    ) -> Invocation:
        input_location = headers.get("inputlocation")
        if not input_location:
            raise EndpointError("ValidationError", "InputLocation is required")
        try:
            parse_s3_url(input_location, s3_only=True)
        except ValueError as err:
            raise EndpointError("ValidationError", str(err)) from err
        inference_id = headers.get("inference-id") or str(uuid.uuid4())
        if len(inference_id) > MAX_INFERENCE_ID:
            raise EndpointError("ValidationError", "InferenceId is longer than 64 characters")
        try:
            ttl = int(headers.get("requestttlseconds") or DEFAULT_TTL_SECONDS)
            timeout = int(headers.get("invocationtimeoutseconds") or DEFAULT_TIMEOUT_SECONDS)
        except ValueError as err:
            raise EndpointError("ValidationError", f"not a number of seconds: {err}") from err
        config = self.async_config(endpoint)
        output, failure = output_locations(
            config, inference_id, headers.get("filename"), headers.get("s3outputpathextension")
        )
        return Invocation(
            endpoint=endpoint,
            inference_id=inference_id,
            input_location=input_location,
            content_type=headers.get("content-type"),
            accept=headers.get("accept"),
            custom_attributes=headers.get("custom-attributes"),
            output_location=output,
            failure_location=failure,
            config=config,
            ttl_seconds=ttl,
            timeout_seconds=timeout,
            headers={**headers, "inference-id": inference_id},
            received=received or datetime.now(UTC),
        )

    def _enqueue(self, inv: Invocation) -> None:
        with self._lock:
            pool = self._pools.get(inv.endpoint)
            if pool is None:
                pool = ThreadPoolExecutor(
                    max_workers=inv.config.max_concurrency,
                    thread_name_prefix=f"endpoint-{inv.endpoint}",
                )
                self._pools[inv.endpoint] = pool
        pool.submit(self._run_logged, inv)

    # ---------------------------------------------------------------- the durable queue
    def _queue_file(self, inv: Invocation) -> Path | None:
        if self.queue_dir is None:
            return None
        digest = hashlib.sha256(f"{inv.endpoint}\n{inv.inference_id}".encode()).hexdigest()
        return self.queue_dir / f"{digest}.json"

    def _store(self, inv: Invocation) -> None:
        """Write the accepted invocation to disk (fsync'd) before the 202 is sent."""
        path = self._queue_file(inv)
        if path is None:
            return
        received = inv.received.isoformat()
        record = {"endpoint": inv.endpoint, "headers": inv.headers, "received": received}
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as out:
            json.dump(record, out)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)

    def _done(self, inv: Invocation) -> None:
        path = self._queue_file(inv)
        if path is not None:
            path.unlink(missing_ok=True)

    def resume(self) -> int:
        """Queue again every invocation a previous run accepted and did not finish."""
        if self.queue_dir is None:
            return 0
        records = []
        for path in self.queue_dir.glob("*.json"):
            try:
                records.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                logger.warning("unreadable queued invocation %s: left aside", path)
                path.rename(path.with_suffix(".bad"))
        records.sort(key=lambda r: r["received"])
        for record in records:
            received = datetime.fromisoformat(record["received"].replace("Z", "+00:00"))
            try:
                inv = self._invocation(record["endpoint"], record["headers"], received)
            except EndpointError as err:  # the endpoint is gone: nothing can run it
                logger.warning("queued invocation dropped: %s", err)
                continue
            logger.info("resumed %s (accepted at %s)", inv.inference_id, record["received"])
            self._enqueue(inv)
        return len(records)

    # ---------------------------------------------------------------- data plane
    def _run_logged(self, inv: Invocation) -> None:
        try:
            self.run(inv)
        except Exception:  # one invocation must never take the server down
            logger.exception("invocation %s crashed the stand-in", inv.inference_id)
            return  # kept on disk: the next start runs it again
        self._done(inv)

    def _read_input(self, location: str) -> bytes:
        bucket, key = parse_s3_url(location, s3_only=True)
        try:
            return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as err:
            # The trigger percent-encodes characters a header cannot carry; try the decoded key.
            decoded = urllib.parse.unquote(key)
            if decoded == key or err.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
            return self.s3.get_object(Bucket=bucket, Key=decoded)["Body"].read()

    def _call_container(self, inv: Invocation, body: bytes) -> tuple[int, bytes, str | None]:
        headers = {"Content-Type": inv.content_type or "application/octet-stream"}
        if inv.accept:
            headers["Accept"] = inv.accept
        if inv.custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = inv.custom_attributes
        request = urllib.request.Request(
            f"{self.container_url}/invocations", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=inv.timeout_seconds) as resp:
                return resp.status, resp.read(), resp.headers.get("Content-Type")
        except urllib.error.HTTPError as err:
            return err.code, err.read(), err.headers.get("Content-Type")

    def run(self, inv: Invocation) -> None:
        """Run one invocation to its notification, as SageMaker's async queue does."""
        waited = (datetime.now(UTC) - inv.received).total_seconds()
        if waited > inv.ttl_seconds:
            self._fail(inv, "Request expired: it waited longer than RequestTTLSeconds.", None)
            return
        try:
            body = self._read_input(inv.input_location)
        except ClientError as err:
            self._fail(
                inv,
                f"ClientError: Failed to download data from {inv.input_location}: "
                f"{err.response['Error'].get('Message', err)}",
                None,
            )
            return
        started = time.perf_counter()
        try:
            status, answer, answer_type = self._call_container(inv, body)
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            self._fail(
                inv,
                f"ClientError: An error occurred while sending the request to the model: {err}",
                None,
            )
            return
        logger.info(
            "container answered %s for %s in %.3f s",
            status,
            inv.inference_id,
            time.perf_counter() - started,
        )
        if status == HTTPStatus.OK:
            bucket, key = parse_s3_url(inv.output_location, s3_only=True)
            self.s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=answer,
                ContentType=answer_type or "application/octet-stream",
            )
            self._notify(inv, success=True, content_type=answer_type)
            self.completed += 1
        else:
            self._fail(inv, failure_reason(status, answer), (answer, answer_type))

    def _fail(self, inv: Invocation, reason: str, answer: tuple[bytes, str | None] | None) -> None:
        stored = False
        if inv.failure_location:
            bucket, key = parse_s3_url(inv.failure_location, s3_only=True)
            data, content_type = answer if answer else (reason.encode(), "text/plain")
            self.s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=data,
                ContentType=content_type or "application/octet-stream",
            )
            stored = True
        logger.warning("invocation %s failed: %s", inv.inference_id, reason[:300])
        self._notify(
            inv,
            success=False,
            reason=reason,
            content_type=answer[1] if answer else "text/plain",
            failure_stored=stored,
        )
        self.failed += 1

    def _notify(
        self,
        inv: Invocation,
        *,
        success: bool,
        content_type: str | None = None,
        reason: str | None = None,
        failure_stored: bool = False,
    ) -> None:
        """Publish SageMaker's documented notification to the success or error topic."""
        message: dict[str, Any] = {
            "awsRegion": self.region,
            "eventTime": iso(datetime.now(UTC)),
            "receivedTime": iso(inv.received),
            "invocationStatus": "Completed" if success else "Failed",
            "requestParameters": {
                "contentType": inv.content_type,
                "endpointName": inv.endpoint,
                "inputLocation": inv.input_location,
            },
            "inferenceId": inv.inference_id,
            "eventVersion": "1.0",
            "eventSource": "aws:sagemaker",
            "eventName": "InferenceResult",
        }
        if success:
            message["responseParameters"] = {
                "contentType": content_type,
                "outputLocation": inv.output_location,
            }
            topic = inv.config.success_topic
        else:
            message["failureReason"] = reason
            if failure_stored:
                message["responseParameters"] = {
                    "contentType": content_type,
                    "failureLocation": inv.failure_location,
                }
            topic = inv.config.error_topic
        if not topic:
            logger.info(
                "no %s topic configured: no notification", "success" if success else "error"
            )
            return
        self.sns.publish(TopicArn=topic, Message=json.dumps(message))

    def shutdown(self) -> None:
        """Finish the running invocations; the queued ones stay on disk for the next start."""
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=self.queue_dir is not None)


def make_handler(runtime: AsyncEndpointRuntime) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "sagemaker-runtime-standin"

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("%s " + format, self.address_string(), *args)

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(self, err: EndpointError) -> None:
            self._send(
                err.status,
                {"__type": err.code, "message": str(err)},
                {"x-amzn-ErrorType": err.code},
            )

        def do_GET(self) -> None:
            if self.path == "/ping":
                self._send(
                    200,
                    {"status": "healthy", "completed": runtime.completed, "failed": runtime.failed},
                    {},
                )
            else:
                self._error(EndpointError("UnknownOperationException", self.path, 404))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)  # InvokeEndpointAsync has no body; drain it anyway
            match = PATH_RE.match(urllib.parse.urlparse(self.path).path)
            if not match:
                self._error(EndpointError("UnknownOperationException", self.path, 404))
                return
            headers = {
                name[len(HEADER) :].lower(): value
                for name, value in self.headers.items()
                if name.lower().startswith(HEADER.lower())
            }
            endpoint = urllib.parse.unquote(match["name"])
            try:
                inv = runtime.submit(endpoint, headers)
            except EndpointError as err:
                self._error(err)
                return
            out_headers = {f"{HEADER}OutputLocation": inv.output_location}
            if inv.failure_location:
                out_headers[f"{HEADER}FailureLocation"] = inv.failure_location
            self._send(HTTPStatus.ACCEPTED, {"InferenceId": inv.inference_id}, out_headers)

    return Handler


def serve(
    emulator_url: str,
    container_url: str,
    host: str,
    port: int,
    region: str,
    ready: Callable[[int], None] | None = None,
    queue_dir: Path | None = None,
) -> None:
    runtime = AsyncEndpointRuntime(emulator_url, container_url, region, queue_dir)
    server = ThreadingHTTPServer((host, port), make_handler(runtime))
    resumed = runtime.resume()
    if resumed:
        logger.info("resumed %d accepted invocations from %s", resumed, queue_dir)
    server.daemon_threads = True
    logger.info(
        "SageMaker runtime stand-in on http://%s:%d -> container %s, emulator %s",
        host,
        server.server_port,
        container_url,
        emulator_url,
    )
    if ready:
        ready(server.server_port)

    def stop(*_: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        runtime.shutdown()
        logger.info("stopped: %d completed, %d failed", runtime.completed, runtime.failed)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--emulator-url", required=True, help="the moto server, e.g. http://127.0.0.1:4566"
    )
    p.add_argument("--container-url", required=True, help="model/serve, e.g. http://127.0.0.1:8080")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--region", default="us-east-1")
    p.add_argument(
        "--queue-dir", type=Path, help="keep accepted invocations here (resumed at start)"
    )
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    log_to_stderr(args.log_level)
    serve(
        args.emulator_url,
        args.container_url,
        args.host,
        args.port,
        args.region,
        queue_dir=args.queue_dir,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
