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


class Pipeline:
    """The running pipeline: its services (``supervisor``) and a user's client (``client``)."""

    def __init__(self, emulator_url: str, state_dir: Path, stack: Stack) -> None:
        self.emulator_url = emulator_url
        self.dir = state_dir.resolve() / "pipeline"
        self.stack = stack
        self.supervisor = Supervisor(self.dir)
        self.client = Client(emulator_url, stack)

    def deploy_model(self, artifact: Path) -> Path:
        """Upload the artifact to ``ModelDataUrl``, then fetch and unpack it as SageMaker does
        for the endpoint's model; returns the model directory (``/opt/ml/model``)."""
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
        return model_dir

    def specs(
        self,
        model_dir: Path,
        functions_dir: Path,
        *,
        workers: int | None = None,
    ) -> list[ServiceSpec]:
        """How each service is started (recorded, so ``restart`` starts it the same way)."""
        py = sys.executable
        serve_port, endpoint_port = free_port(), free_port()
        serve_url = f"http://127.0.0.1:{serve_port}"
        endpoint_url = f"http://127.0.0.1:{endpoint_port}"
        serve_env = {
            "PATH": f"{Path(py).parent}:{os.environ.get('PATH', '')}",
            "SAGEMAKER_BIND_TO_PORT": str(serve_port),
            "MODEL_DIR": str(model_dir),
            **({"SAGEMAKER_MODEL_SERVER_WORKERS": str(workers)} if workers else {}),
        }
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
            ServiceSpec(
                "serve",
                [str(ROOT / "model" / "serve"), "serve"],
                serve_env,
                health_url=f"{serve_url}/ping",
            ),
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
    ) -> dict[str, Any]:
        """Deploy the model and start the three services; returns what ``state.json`` holds."""
        self.stop()  # a second start restarts rather than doubling
        model_dir = self.deploy_model(artifact)
        specs = self.specs(model_dir, functions_dir, workers=workers)
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
