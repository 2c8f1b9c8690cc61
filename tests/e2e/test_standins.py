"""The local stand-ins' own rules, without the emulator: what Lambda deletes after a batch, the
SQS record it builds (the body as SQS delivered it: the emulator itself sends S3 notifications
in AWS's shape, tests/infra/test_emulator.py), where SageMaker writes, and the stand-in
endpoint's answer to botocore's real ``InvokeEndpointAsync`` request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import endpoint
import lambda_runner
from pipeline.callbacks import classify_failure


def records(*ids: str) -> list[dict[str, Any]]:
    return [{"messageId": i, "receiptHandle": f"rh-{i}"} for i in ids]


@pytest.mark.parametrize(
    ("answer", "deleted"),
    [
        ({"result": {"batchItemFailures": []}}, ["a", "b", "c"]),
        ({"result": None}, ["a", "b", "c"]),
        ({"result": {"batchItemFailures": [{"itemIdentifier": "b"}]}}, ["a", "c"]),
        ({"error": "RuntimeError: boom"}, []),
        ({"result": {"batchItemFailures": [{"itemIdentifier": ""}]}}, []),
        ({"result": {"batchItemFailures": [{"itemIdentifier": "zzz"}]}}, []),
    ],
)
def test_records_to_delete_follows_lambda(answer: dict[str, Any], deleted: list[str]) -> None:
    done = lambda_runner.records_to_delete(records("a", "b", "c"), answer, True)
    assert [r["messageId"] for r in done] == deleted


def test_sqs_record_has_lambdas_field_names() -> None:
    message = {
        "MessageId": "m1",
        "ReceiptHandle": "rh",
        "Body": "hello",
        "MD5OfBody": "x",
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1"},
        "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}},
    }
    record = lambda_runner.sqs_record(message, "arn:aws:sqs:us-east-1:1:q", "us-east-1")
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:1:q"
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageAttributes"]["k"]["binaryValue"] == "AAE="
    assert record["md5OfBody"] == "5d41402abc4b2a76b9719d911017c592"  # md5("hello")


CONFIG = endpoint.AsyncConfig(
    output_path="s3://r/sagemaker-output/",
    failure_path="s3://r/sagemaker-failures",
    success_topic="arn:aws:sns:us-east-1:123456789012:ok",
    error_topic="arn:aws:sns:us-east-1:123456789012:err",
    max_concurrency=1,
)


def test_output_locations() -> None:
    assert endpoint.output_locations(CONFIG, "id-1", "plan.out", "site-a") == (
        "s3://r/sagemaker-output/site-a/plan.out",
        "s3://r/sagemaker-failures/site-a/plan-error.out",
    )
    assert endpoint.output_locations(CONFIG, "id-1", None, None) == (
        "s3://r/sagemaker-output/id-1.out",
        "s3://r/sagemaker-failures/id-1-error.out",
    )


@pytest.mark.parametrize(("status", "kind"), [(400, "client"), (415, "client"), (500, "transient")])
def test_failure_reason_is_classified_as_the_failure_lambda_expects(status: int, kind: str) -> None:
    reason = endpoint.failure_reason(status, b'{"status": "failed"}')
    assert reason.startswith("ClientError: Received ")
    assert classify_failure(reason) == kind


class RecordingRuntime(endpoint.AsyncEndpointRuntime):
    """The real HTTP front end and ``submit``; the control plane answers CONFIG, and accepted
    invocations are recorded instead of run."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:9", "http://127.0.0.1:9", "us-east-1")
        self.submitted: list[endpoint.Invocation] = []

    def async_config(self, name: str) -> endpoint.AsyncConfig:
        if name != "ep":
            raise endpoint.EndpointError("ValidationError", f"Endpoint {name} not found")
        return CONFIG

    def _run_logged(self, inv: endpoint.Invocation) -> None:
        self.submitted.append(inv)


@pytest.fixture
def standin() -> Iterator[tuple[str, RecordingRuntime]]:
    from http.server import ThreadingHTTPServer

    runtime = RecordingRuntime()
    server = ThreadingHTTPServer(("127.0.0.1", 0), endpoint.make_handler(runtime))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", runtime
    server.shutdown()
    server.server_close()


def test_botocore_invoke_endpoint_async_round_trip(
    standin: tuple[str, RecordingRuntime],
) -> None:
    url, runtime = standin
    client = boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    resp = client.invoke_endpoint_async(
        EndpointName="ep",
        InputLocation="s3://b/blueprints/site-a/plan.png",
        ContentType="image/png",
        InferenceId="abc-1",
        Filename="plan.out",
        S3OutputPathExtension="site-a",
        RequestTTLSeconds=60,
        InvocationTimeoutSeconds=60,
    )
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert resp["InferenceId"] == "abc-1"
    assert resp["OutputLocation"] == "s3://r/sagemaker-output/site-a/plan.out"
    assert resp["FailureLocation"] == "s3://r/sagemaker-failures/site-a/plan-error.out"
    runtime.shutdown()  # waits for the queued invocation
    [inv] = runtime.submitted
    assert (inv.input_location, inv.content_type) == (
        "s3://b/blueprints/site-a/plan.png",
        "image/png",
    )

    with pytest.raises(client.exceptions.ClientError, match="ValidationError"):
        client.invoke_endpoint_async(EndpointName="nope", InputLocation="s3://b/k")


def wait_for(condition: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


class DurableRuntime(RecordingRuntime):
    """RecordingRuntime with its queue on disk; ``finish`` marks one invocation done."""

    def __init__(self, queue_dir: Path) -> None:
        endpoint.AsyncEndpointRuntime.__init__(
            self, "http://127.0.0.1:9", "http://127.0.0.1:9", "us-east-1", queue_dir
        )
        self.submitted = []


def test_accepted_invocations_survive_a_restart(tmp_path: Path) -> None:
    """SageMaker's queue keeps what it accepted: a crash after the 202 loses nothing."""
    first = DurableRuntime(tmp_path)
    headers = {"inputlocation": "s3://b/blueprints/a.png", "content-type": "image/png"}
    accepted = [first.submit("ep", {**headers, "inference-id": f"id-{i}"}) for i in range(3)]
    first._done(accepted[1])  # the second one ran to its notification
    del first  # a crash: nothing is shut down

    second = DurableRuntime(tmp_path)
    assert second.resume() == 2
    wait_for(lambda: len(second.submitted) == 2)
    second.shutdown()
    resumed = sorted(inv.inference_id for inv in second.submitted)
    assert resumed == ["id-0", "id-2"]
    assert {inv.received for inv in second.submitted} <= {inv.received for inv in accepted}
    assert all(inv.content_type == "image/png" for inv in second.submitted)


def test_a_generated_inference_id_is_kept_across_a_restart(tmp_path: Path) -> None:
    inv = DurableRuntime(tmp_path).submit("ep", {"inputlocation": "s3://b/k.png"})
    again = DurableRuntime(tmp_path)
    again.resume()
    wait_for(lambda: bool(again.submitted))
    again.shutdown()
    assert [i.inference_id for i in again.submitted] == [inv.inference_id]


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(2 hours)", 7200),
        ("cron(0 * * * ? *)", None),
    ],
)
def test_rate_expressions(expression: str, seconds: int | None) -> None:
    assert lambda_runner.rate_seconds(expression) == seconds


def test_scheduled_event_is_eventbridges() -> None:
    schedule = lambda_runner.Schedule(
        rule_arn="arn:aws:events:us-east-1:123456789012:rule/reconcile",
        rule_name="reconcile",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:reconciler",
        period_s=60,
        input=None,
    )
    event = lambda_runner.scheduled_event(schedule, "us-east-1", 0)
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == "123456789012"
    assert event["resources"] == [schedule.rule_arn]
    assert event["time"] == "1970-01-01T00:00:00Z"
    constant = lambda_runner.Schedule(**{**schedule.__dict__, "input": '{"k": 1}'})
    assert lambda_runner.scheduled_event(constant, "us-east-1", 0) == {"k": 1}


def _worker(tmp_path: Path, source: str, timeout_s: int) -> lambda_runner.Worker:
    code = tmp_path / "code"
    code.mkdir(parents=True)
    (code / "slow.py").write_text(source)
    fn = lambda_runner.Function(
        name="slow",
        arn="arn:aws:lambda:us-east-1:1:function:slow",
        handler="slow.handler",
        environment={},
        timeout_s=timeout_s,
        memory_mb=128,
        code_sha256="",
        zip_path=code,
        reserved_concurrency=None,
    )
    return lambda_runner.Worker(fn, code, lambda_runner.runtime_dir(tmp_path / "rt"), {})


def test_a_cold_start_init_is_timed_apart_from_the_function_timeout(tmp_path: Path) -> None:
    """Imports that take longer than the function's timeout (under 10 s) do not time it out."""
    worker = _worker(
        tmp_path,
        "import time\ntime.sleep(2.5)\n"
        "def handler(event, context):\n"
        "    time.sleep(0.5)\n"
        "    return context.get_remaining_time_in_millis()\n",
        timeout_s=2,
    )
    try:
        answer = worker.invoke({})
        assert "result" in answer, answer
        assert 1000 < answer["result"] <= 1500  # the clock started after init
        over = _worker(
            tmp_path / "b",
            "def handler(event, context):\n    import time\n    time.sleep(5)\n",
            timeout_s=1,
        )
        assert "timed out" in over.invoke({})["error"]  # the handler itself is still bounded
    finally:
        worker.stop()
