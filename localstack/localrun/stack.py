"""The applied local stack: Terraform's ``stack`` output, ``apply``, and the emulator.

Every bucket, queue, table, function name and key prefix the local tools use comes from
``terraform output -json stack`` of ``terraform/envs/local``: nothing is spelled here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .processes import PipelineError, wait_http

ROOT = Path(__file__).resolve().parents[2]
TF_LOCAL = ROOT / "terraform" / "envs" / "local"
EMULATOR = ROOT / "localstack" / "emulator.py"
# moto's default account and the local root's region (terraform/envs/local `aws_region`).
REGION = "us-east-1"


@dataclass(frozen=True)
class Stack:
    """The ``stack`` output of ``terraform/envs/local``."""

    blueprints_bucket: str
    results_bucket: str
    prefixes: dict[str, str]
    endpoint_name: str
    model_data_url: str
    table_name: str
    queue_urls: dict[str, str]
    dlq_urls: dict[str, str]
    function_names: dict[str, str]

    @classmethod
    def from_output(cls, out: dict[str, Any]) -> Stack:
        return cls(**{name: out[name] for name in cls.__dataclass_fields__})

    def upload_key(self, name: str) -> str:
        """The key of an upload called ``name`` (relative to the blueprints prefix)."""
        return f"{self.prefixes['blueprints']}{name}"

    def result_key(self, key: str) -> str:
        """Where the final document of the upload at ``key`` appears (as the Lambdas name it:
        ``pipeline.naming.result_key``)."""
        return f"{self.prefixes['results']}{key}.json"


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


def apply_stack(
    emulator_url: str, work: Path, functions_dir: Path, tf_vars: dict[str, str] | None = None
) -> Path:
    """``terraform apply`` of envs/local with its own state and data dir (``TF_DATA_DIR``), so
    it never touches the state of ``make local-up``. Returns the data dir for the outputs."""
    data_dir = work / "tf-data"
    env = terraform_env(data_dir)
    tf = ["terraform", f"-chdir={TF_LOCAL}"]
    variables = {
        "emulator_endpoint": emulator_url,
        "functions_build_dir": str(functions_dir),
        **(tf_vars or {}),
    }
    var_args = [arg for name, value in variables.items() for arg in ("-var", f"{name}={value}")]
    steps = [
        [
            *tf,
            "init",
            "-input=false",
            "-no-color",
            "-reconfigure",
            f"-backend-config=path={work / 'terraform.tfstate'}",
        ],
        [*tf, "apply", "-auto-approve", "-input=false", "-no-color", *var_args],
    ]
    with (work / "apply.log").open("w") as log:
        for cmd in steps:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
            if proc.returncode != 0:
                raise PipelineError(f"{' '.join(cmd[:3])} failed: see {work / 'apply.log'}")
    return data_dir


def start_emulator(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The emulator launcher (localstack/emulator.py) as ``make emulator-up`` starts it."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, str(EMULATOR), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/moto-api/", 120, proc)  # slow on a loaded machine
    except PipelineError as err:
        proc.kill()
        proc.wait()
        raise PipelineError(f"{err}; {log} ends: {log.read_text()[-2000:]}") from err
    return proc
