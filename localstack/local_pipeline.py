"""Driver of the whole pipeline on the local emulator: start, stop, demo.

``make local-up`` applies ``terraform/envs/local`` to the emulator (moto server); then
``up`` starts, as background processes with pids and logs under ``<state dir>/pipeline/``:

- the model "instance": the endpoint's model artifact is uploaded to its ``ModelDataUrl``
  (``make model-artifact``), read back through ``DescribeEndpoint`` -> ``DescribeEndpointConfig``
  -> ``DescribeModel`` and unpacked, as SageMaker does, then the real entrypoint
  ``model/serve serve`` runs on it;
- ``endpoint.py``, the SageMaker async runtime stand-in in front of that server;
- ``lambda_runner.py``, the SQS event source mappings running the real Lambda zips.

``demo`` draws a plan, uploads it, waits for its results document and prints it; ``down`` stops
the processes. ``Pipeline`` is the same thing as a library (the end-to-end tests use it, with
their own emulator and Terraform state: ``start_emulator``, ``apply_stack``).

Usage: ``python localstack/local_pipeline.py {up,down,demo,status,bench} [--state-dir .local]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

logger = logging.getLogger("localstack.pipeline")

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
TF_LOCAL = ROOT / "terraform" / "envs" / "local"
PY = sys.executable
REGION = "us-east-1"
SERVICES = ("serve", "endpoint", "runner")


class PipelineError(Exception):
    """The local pipeline could not be started, or a plan did not go through."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise PipelineError(f"process for {url} exited with {proc.returncode}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.2)
    raise PipelineError(f"{url} did not answer within {timeout:.0f} s")


@dataclass(frozen=True)
class Stack:
    """The ``stack`` output of ``terraform/envs/local``: every name comes from Terraform."""

    blueprints_bucket: str
    results_bucket: str
    endpoint_name: str
    model_data_url: str
    table_name: str
    queue_urls: dict[str, str]
    dlq_urls: dict[str, str]
    function_names: dict[str, str]

    @classmethod
    def from_output(cls, out: dict[str, Any]) -> Stack:
        return cls(**{name: out[name] for name in cls.__dataclass_fields__})


# -------------------------------------------------------------------- emulator and Terraform
def terraform_env(tf_data_dir: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Providers only from the filesystem mirror (the Makefile sets the same file).
    env["TF_CLI_CONFIG_FILE"] = str(ROOT / "terraform" / "terraformrc")
    env["TF_IN_AUTOMATION"] = "1"
    if tf_data_dir is not None:
        env["TF_DATA_DIR"] = str(tf_data_dir)
    return env


def terraform_outputs(tf_data_dir: Path | None = None) -> Stack:
    proc = subprocess.run(
        ["terraform", f"-chdir={TF_LOCAL}", "output", "-no-color", "-json", "stack"],
        capture_output=True,
        text=True,
        env=terraform_env(tf_data_dir),
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip().startswith("{"):
        detail = " ".join(proc.stderr.split())
        raise PipelineError(f"no local stack (run `make pipeline-up` first): {detail}")
    return Stack.from_output(json.loads(proc.stdout))


def start_emulator(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The emulator launcher (localstack/emulator.py) as ``make emulator-up`` starts it."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [PY, str(HERE / "emulator.py"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    wait_http(f"http://127.0.0.1:{port}/moto-api/", 60, proc)
    return proc


def apply_stack(emulator_url: str, work: Path, functions_dir: Path) -> Path:
    """``terraform apply`` of envs/local with its own state and data dir (``TF_DATA_DIR``), so
    it never touches the state of ``make local-up``. Returns the data dir for the outputs."""
    data_dir = work / "tf-data"
    env = terraform_env(data_dir)
    tf = ["terraform", f"-chdir={TF_LOCAL}"]
    tf_vars = [
        "-var",
        f"emulator_endpoint={emulator_url}",
        "-var",
        f"functions_build_dir={functions_dir}",
    ]
    steps = [
        [
            *tf,
            "init",
            "-input=false",
            "-no-color",
            "-reconfigure",
            f"-backend-config=path={work / 'terraform.tfstate'}",
        ],
        [*tf, "apply", "-auto-approve", "-input=false", "-no-color", *tf_vars],
    ]
    with (work / "apply.log").open("w") as log:
        for cmd in steps:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
            if proc.returncode != 0:
                raise PipelineError(f"{' '.join(cmd[:3])} failed: see {work / 'apply.log'}")
    return data_dir


# -------------------------------------------------------------------- the pipeline
class Pipeline:
    """The running pipeline's processes and the boto3 clients a user would use."""

    def __init__(self, emulator_url: str, state_dir: Path, stack: Stack) -> None:
        self.emulator_url = emulator_url
        self.dir = state_dir.resolve() / "pipeline"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.stack = stack
        common: dict[str, Any] = {
            "endpoint_url": emulator_url,
            "region_name": REGION,
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
            "config": Config(retries={"max_attempts": 3, "mode": "standard"}),
        }
        self.s3 = boto3.client("s3", **common)
        self.sqs = boto3.client("sqs", **common)
        self.sagemaker = boto3.client("sagemaker", **common)
        self.dynamodb = boto3.client("dynamodb", **common)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._serve: dict[str, str] = {}

    # ---------------------------------------------------------------- start / stop
    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        with (self.dir / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
                env={**os.environ, **(env or {})},
            )
        self.procs[name] = proc
        (self.dir / f"{name}.pid").write_text(f"{proc.pid}\n", encoding="utf-8")

    def relax_bucket_policies(self) -> list[str]:
        """Work around moto 5.2.5 denying every object request on a bucket whose policy has a
        *conditional* Deny (the stack's ``DenyInsecureTransport``: plain moto cannot evaluate
        ``aws:SecureTransport`` and treats an unmet condition as a deny). Only when a probe is
        refused (HEAD of a missing key: 403 rather than 404; a read, so nothing is written to
        the versioned buckets): such statements are set aside, and restored by ``stop``."""
        saved_file = self.dir / "bucket-policies.json"
        saved = json.loads(saved_file.read_text()) if saved_file.exists() else {}
        relaxed = []
        for bucket in (self.stack.blueprints_bucket, self.stack.results_bucket):
            try:
                self.s3.head_object(Bucket=bucket, Key="pipeline-probe/absent")
                continue
            except ClientError as err:
                if err.response["ResponseMetadata"]["HTTPStatusCode"] != 403:
                    continue
            policy = json.loads(self.s3.get_bucket_policy(Bucket=bucket)["Policy"])
            saved.setdefault(bucket, policy)
            kept = [
                s
                for s in policy["Statement"]
                if not (s.get("Effect") == "Deny" and s.get("Condition"))
            ]
            if kept:
                self.s3.put_bucket_policy(
                    Bucket=bucket, Policy=json.dumps({**policy, "Statement": kept})
                )
            else:
                self.s3.delete_bucket_policy(Bucket=bucket)
            relaxed.append(bucket)
            logger.warning(
                "moto gap: %s refuses every object request under its conditional Deny; "
                "set aside until `down`",
                bucket,
            )
        saved_file.write_text(json.dumps(saved, indent=2), encoding="utf-8")
        return relaxed

    def deploy_model(self, artifact: Path) -> Path:
        """Upload the artifact to ``ModelDataUrl``, then fetch and unpack it as SageMaker does
        for the endpoint's model; returns the model directory (``/opt/ml/model``)."""
        bucket, key = _split_s3(self.stack.model_data_url)
        self.s3.put_object(Bucket=bucket, Key=key, Body=artifact.read_bytes())
        endpoint = self.sagemaker.describe_endpoint(EndpointName=self.stack.endpoint_name)
        config = self.sagemaker.describe_endpoint_config(
            EndpointConfigName=endpoint["EndpointConfigName"]
        )
        model = self.sagemaker.describe_model(
            ModelName=config["ProductionVariants"][0]["ModelName"]
        )
        container = model.get("PrimaryContainer") or model["Containers"][0]
        bucket, key = _split_s3(container["ModelDataUrl"])
        data = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        model_dir = self.dir / "model"
        model_dir.mkdir(exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(model_dir, filter="data")
        return model_dir

    def start(
        self,
        artifact: Path,
        functions_dir: Path,
        *,
        workers: int | None = None,
        serve_port: int = 0,
        endpoint_port: int = 0,
    ) -> dict[str, Any]:
        self.relax_bucket_policies()
        model_dir = self.deploy_model(artifact)
        serve_port = serve_port or free_port()
        endpoint_port = endpoint_port or free_port()
        serve_url = f"http://127.0.0.1:{serve_port}"
        endpoint_url = f"http://127.0.0.1:{endpoint_port}"
        self._serve = {
            "PATH": f"{Path(PY).parent}:{os.environ.get('PATH', '')}",
            "SAGEMAKER_BIND_TO_PORT": str(serve_port),
            "MODEL_DIR": str(model_dir),
            **({"SAGEMAKER_MODEL_SERVER_WORKERS": str(workers)} if workers else {}),
        }
        self.start_serve()
        self._spawn(
            "endpoint",
            [
                PY,
                str(HERE / "endpoint.py"),
                "--emulator-url",
                self.emulator_url,
                "--container-url",
                serve_url,
                "--port",
                str(endpoint_port),
                "--region",
                REGION,
            ],
            _fake_credentials(),
        )
        wait_http(f"{endpoint_url}/ping", 30, self.procs["endpoint"])
        ready = self.dir / "runner.ready.json"
        ready.unlink(missing_ok=True)
        self._spawn(
            "runner",
            [
                PY,
                str(HERE / "lambda_runner.py"),
                "--emulator-url",
                self.emulator_url,
                "--sagemaker-runtime-url",
                endpoint_url,
                "--functions-dir",
                str(functions_dir),
                "--work-dir",
                str(self.dir / "lambda"),
                "--ready-file",
                str(ready),
                "--region",
                REGION,
            ],
            _fake_credentials(),
        )
        deadline = time.monotonic() + 60
        while not ready.exists():
            if self.procs["runner"].poll() is not None or time.monotonic() > deadline:
                raise PipelineError(f"lambda runner did not start: see {self.dir / 'runner.log'}")
            time.sleep(0.2)
        state = {
            "emulator_url": self.emulator_url,
            "serve_url": serve_url,
            "endpoint_url": endpoint_url,
            "pids": {name: p.pid for name, p in self.procs.items()},
            "stack": self.stack.__dict__,
            "runner": json.loads(ready.read_text(encoding="utf-8")),
        }
        (self.dir / "state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
        return state

    def start_serve(self) -> None:
        """(Re)start the model server, as SageMaker (re)starts the endpoint's instance."""
        self._spawn("serve", [str(ROOT / "model" / "serve"), "serve"], self._serve)
        port = self._serve["SAGEMAKER_BIND_TO_PORT"]
        wait_http(f"http://127.0.0.1:{port}/ping", 60, self.procs["serve"])

    def stop_serve(self) -> None:
        """Stop the model server (an instance lost): invocations fail until it is back."""
        stop_services(self.dir.parent, names=("serve",))

    def stop(self) -> None:
        stop_services(self.dir.parent)
        restore_bucket_policies(self.dir.parent, self.s3)

    # ---------------------------------------------------------------- plans
    def upload(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        self.s3.put_object(Bucket=self.stack.blueprints_bucket, Key=key, Body=data, **extra)

    def wait_result(self, key: str, timeout: float = 120) -> dict[str, Any]:
        """The final document ``results/<key>.json`` once it exists (polls like a client)."""
        result_key = f"results/{key}.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body = self.s3.get_object(Bucket=self.stack.results_bucket, Key=result_key)["Body"]
                return json.loads(body.read())
            except ClientError as err:
                if err.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                    raise
            time.sleep(0.25)
        raise PipelineError(
            f"no s3://{self.stack.results_bucket}/{result_key} after {timeout:.0f} s: "
            f"see the logs in {self.dir}"
        )

    def status_record(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The plan's DynamoDB status item (``plan#<plan id>``, id from the inference id)."""
        inference_id = (doc.get("inference") or {}).get("inference_id")
        if inference_id:
            plan_id = inference_id.rsplit("-", 1)[0]
            item = self.dynamodb.get_item(
                TableName=self.stack.table_name, Key={"id": {"S": f"plan#{plan_id}"}}
            ).get("Item", {})
        else:  # refused before any inference: find it by its S3 URI (a small local table)
            items = self.dynamodb.scan(
                TableName=self.stack.table_name,
                FilterExpression="source_uri = :uri AND kind = :kind",
                ExpressionAttributeValues={
                    ":uri": {"S": (doc.get("source") or {}).get("uri", "")},
                    ":kind": {"S": "plan"},
                },
            ).get("Items", [])
            item = items[0] if items else {}
        return {k: _plain(v) for k, v in sorted(item.items())}

    def status_of(self, key: str) -> dict[str, Any]:
        """The status item of the plan at ``key`` in the blueprints bucket ({} if none yet)."""
        uri = f"s3://{self.stack.blueprints_bucket}/{key}"
        return self.status_record({"source": {"uri": uri}})

    def queue_depths(self) -> dict[str, dict[str, int]]:
        """Visible and in-flight messages of every source queue and DLQ."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        depths = {}
        for kind, urls in (("queue", self.stack.queue_urls), ("dlq", self.stack.dlq_urls)):
            for name, url in urls.items():
                attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)
                depths[f"{kind}:{name}"] = {
                    "visible": int(attrs["Attributes"][names[0]]),
                    "in_flight": int(attrs["Attributes"][names[1]]),
                }
        return depths


def restore_bucket_policies(state_dir: Path, s3: Any) -> list[str]:
    """Put back the bucket policies ``relax_bucket_policies`` set aside (Terraform's state
    then matches the emulator again, for ``make local-down`` or a second plan)."""
    saved_file = state_dir / "pipeline" / "bucket-policies.json"
    if not saved_file.exists():
        return []
    restored = []
    for bucket, policy in json.loads(saved_file.read_text()).items():
        with contextlib.suppress(ClientError):  # the stack may be gone already
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
            restored.append(bucket)
    saved_file.unlink()
    return restored


def _plain(value: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as plain JSON."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return float(inner) if "." in inner else int(inner)
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if kind == "L":
        return [_plain(v) for v in inner]
    return inner


def _split_s3(uri: str) -> tuple[str, str]:
    parsed = urllib.parse.urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def _client_credentials() -> dict[str, str]:
    return {"region_name": REGION, "aws_access_key_id": "local", "aws_secret_access_key": "local"}


def _fake_credentials() -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
    }


def stop_services(
    state_dir: Path, timeout: float = 30, names: tuple[str, ...] = SERVICES
) -> list[str]:
    """SIGTERM the processes ``up`` started (by their pid files), then SIGKILL stragglers.

    The runner goes first (it re-enables the mappings in the emulator), the server last."""
    stopped = []
    for name in reversed(names):
        pid_file = state_dir / "pipeline" / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text(encoding="utf-8").strip())
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.1)
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)  # its own session: the process and its children
            stopped.append(name)
        pid_file.unlink(missing_ok=True)
    return stopped


def service_pids(pipeline_dir: Path) -> dict[str, int | None]:
    """The pid of each service from its pid file (None: not started)."""
    pids: dict[str, int | None] = {}
    for name in SERVICES:
        pid_file = pipeline_dir / f"{name}.pid"
        pids[name] = int(pid_file.read_text().strip()) if pid_file.exists() else None
    return pids


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -------------------------------------------------------------------- demo
def draw_png(seed: int, width: int = 1600, height: int = 1200) -> tuple[bytes, Any]:
    """A plan drawn by ``detector_dev.synthetic`` as PNG bytes, and its truth."""
    import cv2

    from detector_dev.synthetic import draw_plan

    plan = draw_plan(seed, width, height, noise=0.3)
    ok, png = cv2.imencode(".png", plan.image)
    if not ok:
        raise PipelineError("could not encode the drawn plan")
    return png.tobytes(), plan


def demo(pipe: Pipeline, seed: int) -> int:
    from detector.results import validate_document
    from detector_dev.synthetic import compare_with_truth

    png, plan = draw_png(seed)
    key = f"blueprints/demo/plan-{seed}.png"
    print(
        f"== upload s3://{pipe.stack.blueprints_bucket}/{key} ({len(png)} bytes, drawn "
        f"{plan.room_count} rooms)"
    )
    started = time.monotonic()
    pipe.upload(key, png, "image/png")
    doc = pipe.wait_result(key)
    elapsed = time.monotonic() - started
    validate_document(doc)
    print(
        f"== s3://{pipe.stack.results_bucket}/results/{key}.json after {elapsed:.2f} s "
        "(valid against the results schema)"
    )
    rooms = [r["polygon"] for page in doc.get("pages", []) for r in page["rooms"]]
    print(f"status: {doc['status']}, {compare_with_truth(rooms, plan.labels)}")
    inference = doc.get("inference", {})
    print(
        "inference:",
        json.dumps(
            {
                k: inference.get(k)
                for k in ("inference_id", "endpoint", "output_location", "attempts", "timings_s")
            },
            indent=2,
        ),
    )
    print("status record:", json.dumps(pipe.status_record(doc), indent=2))

    bad_key = "blueprints/demo/not-a-plan.png"
    print(f"\n== upload s3://{pipe.stack.blueprints_bucket}/{bad_key} (text, not an image)")
    pipe.upload(bad_key, b"this is a shopping list, not a floor plan\n", "image/png")
    bad = pipe.wait_result(bad_key)
    validate_document(bad)
    print(
        "failure document:",
        json.dumps({k: bad.get(k) for k in ("status", "error", "source")}, indent=2),
    )
    print("status record:", json.dumps(pipe.status_record(bad), indent=2))
    print("\nqueues:", json.dumps(pipe.queue_depths()))
    return 0 if doc["status"] == "succeeded" and bad["status"] == "failed" else 1


def bench(pipe: Pipeline, count: int, seed: int) -> int:
    """Upload ``count`` drawn plans at once; print each plan's upload -> result time."""
    import statistics

    plans = {f"blueprints/bench/{seed}-{i}.png": draw_png(seed + i)[0] for i in range(count)}
    started = time.monotonic()
    uploaded = {}
    for key, png in plans.items():
        pipe.upload(key, png, "image/png")
        uploaded[key] = time.monotonic()
    seen: dict[str, float] = {}
    docs: dict[str, dict[str, Any]] = {}
    for key in plans:
        docs[key] = pipe.wait_result(key, timeout=120 + 10 * count)
        seen[key] = time.monotonic()
    wall = time.monotonic() - started
    client = sorted(seen[k] - uploaded[k] for k in plans)  # upper bound: sequential waits
    e2e = sorted(d["inference"]["timings_s"]["end_to_end"] for d in docs.values())
    proc = sorted(d["inference"]["timings_s"]["processing"] for d in docs.values())
    ok = sum(d["status"] == "succeeded" for d in docs.values())
    print(
        f"{count} plans (1600 x 1200, drawn), uploaded together: {ok} succeeded, "
        f"all results after {wall:.1f} s ({count / wall:.2f} plans/s)"
    )
    print(
        f"end_to_end (upload -> result written), s: p50 {statistics.median(e2e):.2f}, "
        f"max {e2e[-1]:.2f}; seen by the client: p50 {statistics.median(client):.2f}"
    )
    print(f"processing in the container, s: p50 {statistics.median(proc):.3f}, max {proc[-1]:.3f}")
    return 0 if ok == count else 1


# -------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["up", "down", "demo", "status", "bench"])
    p.add_argument("--state-dir", type=Path, default=ROOT / ".local")
    p.add_argument("--emulator-url", default="http://127.0.0.1:4566")
    p.add_argument("--functions-dir", type=Path, default=ROOT / "build" / "functions")
    p.add_argument("--model-artifact", type=Path, default=ROOT / "build" / "model" / "model.tar.gz")
    p.add_argument("--workers", type=int, help="model server workers (default: CPU count)")
    p.add_argument("--seed", type=int, default=7, help="demo, bench: seed of the drawn plan")
    p.add_argument("--count", type=int, default=10, help="bench: plans uploaded together")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    if args.command == "down":
        stopped = stop_services(args.state_dir)
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
        s3 = boto3.client("s3", endpoint_url=args.emulator_url, **_client_credentials())
        with contextlib.suppress(OSError, ClientError, EndpointConnectionError):
            for bucket in restore_bucket_policies(args.state_dir, s3):
                print(f"bucket policy of {bucket} restored")
        return 0
    try:
        stack = terraform_outputs()
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    pipe = Pipeline(args.emulator_url, args.state_dir, stack)
    if args.command == "up":
        stop_services(args.state_dir)  # a second `up` restarts rather than doubling
        try:
            state = pipe.start(args.model_artifact, args.functions_dir, workers=args.workers)
        except PipelineError as err:
            stop_services(args.state_dir)
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"model server  {state['serve_url']}  (log {pipe.dir / 'serve.log'})")
        print(f"endpoint      {state['endpoint_url']}  (log {pipe.dir / 'endpoint.log'})")
        for m in state["runner"]["mappings"]:
            print(f"lambda        {m['function']} <- {m['queue_url']}")
        print(f"runner log    {pipe.dir / 'runner.log'}")
        print(
            f"upload plans to s3://{stack.blueprints_bucket}/blueprints/ "
            f"(endpoint {args.emulator_url}); results in s3://{stack.results_bucket}/results/"
        )
        return 0
    alive = {name: pid is not None and _alive(pid) for name, pid in service_pids(pipe.dir).items()}
    if args.command == "status":
        print(json.dumps({"processes": alive, "queues": pipe.queue_depths()}, indent=2))
        return 0 if all(alive.values()) else 1
    down = [name for name, up in alive.items() if not up]
    if down:
        print(f"error: not running: {', '.join(down)} (make pipeline-up)", file=sys.stderr)
        return 1
    try:
        if args.command == "bench":
            return bench(pipe, args.count, args.seed)
        return demo(pipe, args.seed)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
