"""One pipeline for every end-to-end test: emulator, `terraform apply` of envs/local, the three
services, all through localstack/localrun (what `make pipeline-up` runs), on free ports with its
own Terraform state (`TF_DATA_DIR`), so a `make local-up` stack beside it is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from detector.opencv_detector import OpenCVDetector
from detector_dev.machine import free_port
from localrun.client import Client
from localrun.services import Pipeline
from localrun.stack import apply_stack, start_emulator, terraform_outputs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    work = tmp_path_factory.mktemp("pipeline")
    # Build what a fresh clone lacks; copy the zips so a rebuild elsewhere cannot change the code
    # under the runner (it checks each zip against the deployed CodeSha256).
    subprocess.run(["make", "-s", "functions"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    functions = work / "functions"
    functions.mkdir()
    for package in (ROOT / "build" / "functions").glob("*.zip"):
        shutil.copy2(package, functions)
    artifact = work / "model.tar.gz"
    subprocess.run(
        ["make", "-s", "model-artifact", f"MODEL_ARTIFACT={artifact}"],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # EMULATOR_URL: an emulator already running (LocalStack, say), without a stack of the
    # same names (`make local-up`'s); else our own embedded one on a free port.
    url = os.environ.get("EMULATOR_URL")
    emulator = None
    if not url:
        port = free_port()
        emulator = start_emulator(port, work / "emulator.log")
        url = f"http://127.0.0.1:{port}"
    running: Pipeline | None = None
    try:
        data_dir = apply_stack(url, work, functions)
        running = Pipeline(url, work, terraform_outputs(data_dir))
        running.start(artifact, functions, workers=1)
        yield running
    finally:
        if running is not None:
            running.stop()
        if emulator is not None:
            emulator.terminate()
            try:
                emulator.wait(timeout=15)
            except subprocess.TimeoutExpired:
                emulator.kill()
                emulator.wait()


@pytest.fixture(scope="session")
def pipe(pipeline: Pipeline) -> Client:
    """What a user has: boto3 clients on the emulator and the stack's names."""
    return pipeline.client


@pytest.fixture(scope="session")
def detector() -> OpenCVDetector:
    """The detector in process, with the configuration the container is deployed with."""
    return OpenCVDetector.from_config_file(ROOT / "model" / "config.json")
