"""Day two of the stack: a second release, a rollback and an instance-type change, applied by
real Terraform to the emulator (localstack/emulator.py), which enforces SageMaker's rules that
moto lacks (unique model and configuration names, UpdateEndpoint and autoscaled variants).

One emulator and one state for the whole module; each test is one step of the sequence a team
runs (terraform/README.md, "Deploy"), so they run in file order and share the stack.

Every command targets the endpoint module (and, through its references, the key, repository,
buckets and topics it names): a release changes nothing else, and the rest of the stack would
add minutes of the AWS provider's SQS and S3 propagation waits (terraform/README.md).
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from localrun.client import aws_client
from localrun.stack import ROOT, TF_LOCAL, terraform_env

FIXTURE_ZIPS = ROOT / "terraform" / "modules" / "stack" / "tests" / "fixtures"
ENDPOINT = "location-detector-local"
MODEL = "module.stack.module.endpoint.aws_sagemaker_model.this"
CONFIG = "module.stack.module.endpoint.aws_sagemaker_endpoint_configuration.this"
ENDPOINT_RESOURCE = "module.stack.module.endpoint.aws_sagemaker_endpoint.this"
TARGET = "-target=module.stack.module.endpoint"


class Stack:
    """terraform init/apply/plan of envs/local against one emulator, with its own state."""

    def __init__(self, url: str, work: Path) -> None:
        self.url = url
        self.work = work
        self.env = terraform_env(work / "tf-data")
        self.steps = 0
        self.sagemaker = aws_client("sagemaker", url)
        self.autoscaling = aws_client("application-autoscaling", url)

    def terraform(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        proc = subprocess.run(
            ["terraform", f"-chdir={TF_LOCAL}", *args, "-input=false", "-no-color"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=600,
            check=False,
        )
        # Each command's output is kept beside the state, for a failure's post-mortem.
        self.steps += 1
        log = self.work / f"{self.steps:02d}-{args[0]}.log"
        log.write_text(f"{time.monotonic() - started:.1f} s\n{proc.stdout}\n{proc.stderr}")
        if check and proc.returncode != 0:
            pytest.fail(f"terraform {args[0]} failed:\n{proc.stdout[-4000:]}\n{proc.stderr}")
        return proc

    def tf_vars(self, **values: str) -> list[str]:
        values = {
            "emulator_endpoint": self.url,
            "functions_build_dir": str(FIXTURE_ZIPS),
            **values,
        }
        return [arg for k, v in values.items() for arg in ("-var", f"{k}={v}")]

    def apply(self, **values: str) -> list[str]:
        """Apply; returns the log lines, in the order Terraform performed them."""
        proc = self.terraform("apply", "-auto-approve", TARGET, *self.tf_vars(**values))
        return proc.stdout.splitlines()

    def plan_exit_code(self, **values: str) -> tuple[int, str]:
        proc = self.terraform(
            "plan", "-detailed-exitcode", TARGET, *self.tf_vars(**values), check=False
        )
        return proc.returncode, proc.stdout + proc.stderr

    def served(self) -> dict[str, Any]:
        """What the endpoint serves now: its configuration and that configuration's model."""
        endpoint = self.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
        config = self.sagemaker.describe_endpoint_config(
            EndpointConfigName=endpoint["EndpointConfigName"]
        )
        variant = config["ProductionVariants"][0]
        model = self.sagemaker.describe_model(ModelName=variant["ModelName"])
        return {
            "config": endpoint["EndpointConfigName"],
            "model": model["ModelName"],
            "image": model["PrimaryContainer"]["Image"],
            "artifact": model["PrimaryContainer"]["ModelDataUrl"],
            "instance_type": variant["InstanceType"],
        }

    def scaling(self) -> tuple[list[Any], list[Any]]:
        resource = f"endpoint/{ENDPOINT}/variant/AllTraffic"
        targets = self.autoscaling.describe_scalable_targets(
            ServiceNamespace="sagemaker", ResourceIds=[resource]
        )["ScalableTargets"]
        policies = self.autoscaling.describe_scaling_policies(
            ServiceNamespace="sagemaker", ResourceId=resource
        )["ScalingPolicies"]
        return targets, policies


@pytest.fixture(scope="module")
def stack(emulator: str, tmp_path_factory: pytest.TempPathFactory) -> Stack:
    work = tmp_path_factory.mktemp("release")
    stack = Stack(emulator, work)
    stack.terraform("init", "-reconfigure", f"-backend-config=path={work / 'state.tfstate'}")
    return stack


def _index(lines: list[str], pattern: str) -> int:
    found = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert found, f"no line matches {pattern!r}"
    return found[0]


def test_first_release(stack: Stack) -> None:
    stack.apply(image_tag="v1")
    served = stack.served()
    assert served["image"].endswith("/location-detector-local:v1")
    assert served["artifact"].endswith("/models/location-detector/v1/model.tar.gz")
    targets, policies = stack.scaling()
    assert len(targets) == 1 and len(policies) == 2


def test_second_release_switches_the_endpoint_with_no_gap(stack: Stack) -> None:
    before = stack.served()
    lines = stack.apply(image_tag="v2")
    served = stack.served()

    # The endpoint serves v2's configuration and model (new image tag, new artifact).
    assert served["image"].endswith("/location-detector-local:v2")
    assert served["artifact"].endswith("/models/location-detector/v2/model.tar.gz")
    assert served["model"] != before["model"] and served["config"] != before["config"]

    # Nothing was destroyed before its replacement existed and the endpoint had switched.
    model_created = _index(lines, rf"^{re.escape(MODEL)}: Creation complete")
    config_created = _index(lines, rf"^{re.escape(CONFIG)}: Creation complete")
    switched = _index(lines, rf"^{re.escape(ENDPOINT_RESOURCE)}: Modifications complete")
    old_config_gone = _index(lines, rf"^{re.escape(CONFIG)} \(deposed object \w+\): Destroying")
    old_model_gone = _index(lines, rf"^{re.escape(MODEL)} \(deposed object \w+\): Destroying")
    assert model_created < config_created < switched < old_config_gone < old_model_gone

    # Only the live model and configuration are left.
    models = [m["ModelName"] for m in stack.sagemaker.list_models()["Models"]]
    listed = stack.sagemaker.list_endpoint_configs()["EndpointConfigs"]
    configs = [c["EndpointConfigName"] for c in listed]
    assert models == [served["model"]] and configs == [served["config"]]

    # Autoscaling was not touched by a release.
    targets, policies = stack.scaling()
    assert len(targets) == 1 and len(policies) == 2

    code, out = stack.plan_exit_code(image_tag="v2")
    assert code == 0, f"the plan after a release is not empty:\n{out[-3000:]}"


def test_rollback_is_applying_the_previous_tag(stack: Stack) -> None:
    stack.apply(image_tag="v1")
    served = stack.served()
    assert served["image"].endswith(":v1")
    assert served["artifact"].endswith("/v1/model.tar.gz")


def test_instance_type_change_deregisters_autoscaling_first(stack: Stack) -> None:
    lines = stack.apply(image_tag="v1", instance_type="ml.c5.2xlarge")
    assert stack.served()["instance_type"] == "ml.c5.2xlarge"
    target = "module.stack.module.endpoint.aws_appautoscaling_target.this"
    deregistered = _index(lines, rf"^{re.escape(target)}: Destruction complete")
    switched = _index(lines, rf"^{re.escape(ENDPOINT_RESOURCE)}: Modifications complete")
    registered = _index(lines, rf"^{re.escape(target)}: Creation complete")
    assert deregistered < switched < registered
    targets, policies = stack.scaling()
    assert len(targets) == 1 and len(policies) == 2, "autoscaling is back after the change"

    code, out = stack.plan_exit_code(image_tag="v1", instance_type="ml.c5.2xlarge")
    assert code == 0, f"the plan after the change is not empty:\n{out[-3000:]}"
