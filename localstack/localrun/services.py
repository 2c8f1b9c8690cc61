"""The pipeline's three services, started as SageMaker and Lambda would run them.

- ``serve``: the model "instance": the endpoint's model artifact is uploaded to its
  ``ModelDataUrl``, read back through ``DescribeEndpoint`` -> ``DescribeEndpointConfig`` ->
  ``DescribeModel`` and unpacked, as SageMaker does; then the real entrypoint
  ``model/serve serve`` runs on it;
- ``endpoint``: ``localstack/endpoint.py``, the SageMaker async runtime stand-in in front of
  that server (its accepted invocations are kept on disk and resumed after a restart);
- ``runner``: ``localstack/lambda_runner.py``, the SQS event source mappings and schedules
  running the real Lambda zips.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from detector.s3url import parse_s3_url
from detector_dev.machine import free_port

from .client import LOCAL_CREDENTIALS_ENV, Client
from .processes import ROOT, PipelineError, ServiceSpec, Supervisor
from .stack import REGION, Stack

HERE = ROOT / "localstack"
# Started in this order; stopped in the reverse one (the runner first: it re-enables the
# mappings in the emulator; the server last).
SERVICES = ("serve", "endpoint", "runner")
# How the model server runs: the entrypoint from the tree, or the image `make image` built.
MODEL_RUNTIMES = ("process", "image")
IMAGE_SH = ROOT / "model" / "image.sh"


def serve_spec(
    port: int,
    model_dir: Path,
    model_env: dict[str, str] | None = None,
    *,
    workers: int | None = None,
    runtime: str = "process",
) -> ServiceSpec:
    """The model server on 127.0.0.1:`port` with the model in `model_dir` and the model's
    container environment `model_env` (SageMaker sets it in the container).

    ``image`` runs the built image through ``model/image.sh`` as SageMaker runs it (`serve`,
    the model directory mounted at /opt/ml/model); SIGTERM reaches the container through the
    engine's foreground ``run``, and ``--rm`` removes it once it exited.
    """
    if runtime not in MODEL_RUNTIMES:
        raise PipelineError(f"model runtime {runtime!r}: one of {', '.join(MODEL_RUNTIMES)}")
    env = {**(model_env or {}), "SAGEMAKER_BIND_TO_PORT": str(port)}
    if workers:
        env["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(workers)
    health = f"http://127.0.0.1:{port}/ping"
    if runtime == "process":
        env["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"
        env["MODEL_DIR"] = str(model_dir)
        return ServiceSpec("serve", [str(ROOT / "model" / "serve"), "serve"], env, health)
    image = subprocess.run(
        [str(IMAGE_SH), "name"], capture_output=True, text=True, check=True
    ).stdout.strip()
    cmd = [str(IMAGE_SH), "run", "--port", str(port), "--rm", "--name", f"ld-serve-{port}"]
    cmd += ["-v", f"{model_dir.resolve()}:/opt/ml/model:ro"]
    cmd += [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
    return ServiceSpec("serve", [*cmd, image, "serve"], {}, health, start_timeout_s=120)


class Pipeline:
    """The running pipeline: its services (``supervisor``) and a user's client (``client``)."""

    def __init__(self, emulator_url: str, state_dir: Path, stack: Stack) -> None:
        self.emulator_url = emulator_url
        self.dir = state_dir.resolve() / "pipeline"
        self.stack = stack
        self.supervisor = Supervisor(self.dir)
        self.client = Client(emulator_url, stack)

    def deploy_model(self, artifact: Path) -> tuple[Path, dict[str, str]]:
        """Upload the artifact to ``ModelDataUrl``, then fetch and unpack it as SageMaker does
        for the endpoint's model; returns the model directory (``/opt/ml/model``) and the
        container's environment from the model (SageMaker sets it in the container)."""
        s3, sagemaker = self.client.s3, self.client.sagemaker
        bucket, key = parse_s3_url(self.stack.model_data_url, s3_only=True)
        s3.put_object(Bucket=bucket, Key=key, Body=artifact.read_bytes())
        endpoint = sagemaker.describe_endpoint(EndpointName=self.stack.endpoint_name)
        config = sagemaker.describe_endpoint_config(
            EndpointConfigName=endpoint["EndpointConfigName"]
        )
        model = sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
        container = model.get("PrimaryContainer") or model["Containers"][0]
        bucket, key = parse_s3_url(container["ModelDataUrl"], s3_only=True)
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        model_dir = self.dir / "model"
        model_dir.mkdir(exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(model_dir, filter="data")
        return model_dir, dict(container.get("Environment") or {})

    def specs(
        self,
        model_dir: Path,
        model_env: dict[str, str],
        functions_dir: Path,
        *,
        workers: int | None = None,
        model_runtime: str = "process",
    ) -> list[ServiceSpec]:
        """How each service is started (recorded, so ``restart`` starts it the same way)."""
        py = sys.executable
        serve_port, endpoint_port = free_port(), free_port()
        serve_url = f"http://127.0.0.1:{serve_port}"
        endpoint_url = f"http://127.0.0.1:{endpoint_port}"
        endpoint_cmd = [
            py,
            str(HERE / "endpoint.py"),
            "--emulator-url",
            self.emulator_url,
            "--container-url",
            serve_url,
            "--port",
            str(endpoint_port),
            "--region",
            REGION,
            "--queue-dir",
            str(self.dir / "endpoint-queue"),
        ]
        runner_cmd = [
            py,
            str(HERE / "lambda_runner.py"),
            "--emulator-url",
            self.emulator_url,
            "--sagemaker-runtime-url",
            endpoint_url,
            "--functions-dir",
            str(functions_dir.resolve()),
            "--work-dir",
            str(self.dir / "lambda"),
            "--ready-file",
            str(self.dir / "runner.ready.json"),
            "--region",
            REGION,
        ]
        return [
            serve_spec(serve_port, model_dir, model_env, workers=workers, runtime=model_runtime),
            ServiceSpec(
                "endpoint", endpoint_cmd, LOCAL_CREDENTIALS_ENV, health_url=f"{endpoint_url}/ping"
            ),
            ServiceSpec(
                "runner",
                runner_cmd,
                LOCAL_CREDENTIALS_ENV,
                ready_file=str(self.dir / "runner.ready.json"),
            ),
        ]

    def start(
        self,
        artifact: Path,
        functions_dir: Path,
        *,
        workers: int | None = None,
        model_runtime: str = "process",
    ) -> dict[str, Any]:
        """Deploy the model and start the three services; returns what ``state.json`` holds."""
        self.stop()  # a second start restarts rather than doubling
        model_dir, model_env = self.deploy_model(artifact)
        specs = self.specs(
            model_dir, model_env, functions_dir, workers=workers, model_runtime=model_runtime
        )
        try:
            for spec in specs:
                self.supervisor.start(spec)
        except PipelineError:
            self.stop()
            raise
        by_name = {s.name: s for s in specs}
        state = {
            "emulator_url": self.emulator_url,
            "serve_url": str(by_name["serve"].health_url).removesuffix("/ping"),
            "endpoint_url": str(by_name["endpoint"].health_url).removesuffix("/ping"),
            "pids": {name: self.supervisor.pid(name) for name in SERVICES},
            "stack": self.stack.__dict__,
            "runner": self.runner_description(),
        }
        (self.dir / "state.json").write_text(json.dumps(state, indent=2), encoding="utf-8")
        return state

    def runner_description(self) -> dict[str, Any]:
        ready = self.dir / "runner.ready.json"
        return dict(json.loads(ready.read_text(encoding="utf-8"))) if ready.exists() else {}

    def restart(self, name: str) -> None:
        """Bounce one service (``serve``, ``endpoint`` or ``runner``) with the same settings."""
        if name not in SERVICES:
            raise PipelineError(f"no service {name!r}: one of {', '.join(SERVICES)}")
        self.supervisor.restart(name)

    def stop_service(self, name: str) -> None:
        """Stop one service (e.g. the model server: an instance lost) until ``start_service``."""
        self.supervisor.stop([name])

    def start_service(self, name: str) -> None:
        spec = self.supervisor.specs().get(name)
        if spec is None:
            raise PipelineError(f"{name} was never started here")
        self.supervisor.start(spec)

    def kill(self, name: str) -> None:
        """SIGKILL one service (a crash: nothing it holds in memory survives)."""
        self.supervisor.kill(name)

    def stop(self) -> list[str]:
        return self.supervisor.stop(list(reversed(SERVICES)))
