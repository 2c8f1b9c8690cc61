"""model/build-and-push.sh against `docker` and `aws` stand-ins that record how they were called."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from container_helpers import REPO

SCRIPT = REPO / "model" / "build-and-push.sh"
CONTEXT = REPO / "model"
ACCOUNT, REGION, TAG = "123456789012", "eu-west-1", "abc1234"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
WHAT = {
    "AWS_ACCOUNT_ID": "the 12-digit id of the AWS account that owns the ECR registry",
    "AWS_REGION": "the AWS region of the registry and the endpoint, e.g. eu-west-1",
    "REPOSITORY_NAME": (
        "the environment's ECR repository, e.g. location-detector-dev (terraform output stack)"
    ),
    "IMAGE_TAG": (
        "the release tag to push, e.g. IMAGE_TAG=1.2.0 (tags are immutable: one per release)"
    ),
}
REPO_NAME = "location-detector-dev"

# Each stand-in appends one line per call to $CALLS. `docker login` records what it read on
# stdin (after reading all of it, so the line lands after the aws call that piped it).
DOCKER = """#!/usr/bin/env bash
line="docker $*"
if [[ "$1" == login ]]; then line+=" <stdin:$(cat)>"; fi
echo "$line" >> "$CALLS"
"""
AWS = """#!/usr/bin/env bash
echo "aws $*" >> "$CALLS"
case "$1 $2" in
  "ecr get-login-password") echo "s3cr3t-token" ;;
  "ecr describe-repositories")
    case "$FAKE_REPOSITORY" in
      exists) echo '{"repositories": [{"repositoryName": "x"}]}' ;;
      missing) echo "An error occurred (RepositoryNotFoundException) when calling the" \
                    "DescribeRepositories operation: The repository does not exist" >&2; exit 254 ;;
      *) echo "An error occurred (AccessDeniedException): not authorized" >&2; exit 254 ;;
    esac ;;
esac
"""


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in {"docker": DOCKER, "aws": AWS}.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(0o755)
    return bin_dir


def run(
    fake_bin: Path, *args: str, repository: str = "exists", **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    calls = fake_bin.parent / "calls.log"
    calls.unlink(missing_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IMAGE_TAG"))}
    base.pop("REPOSITORY_NAME", None)
    full_env = {
        **base,
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "CALLS": str(calls),
        "FAKE_REPOSITORY": repository,
        "AWS_ACCOUNT_ID": ACCOUNT,
        "AWS_REGION": REGION,
        "REPOSITORY_NAME": REPO_NAME,
        "IMAGE_TAG": TAG,
        **env,
    }
    full_env = {k: v for k, v in full_env.items() if v != ""}  # "" means unset
    proc = subprocess.run(
        [str(SCRIPT), *args], env=full_env, capture_output=True, text=True, timeout=60
    )
    lines = calls.read_text().splitlines() if calls.exists() else []
    return proc, lines


def expected_calls(repo: str = REPO_NAME) -> list[str]:
    remote = f"{REGISTRY}/{repo}:{TAG}"
    calls = [
        f"docker build --platform linux/amd64 --tag {repo}:{TAG} "
        f"--file {CONTEXT}/Dockerfile {CONTEXT}",
        f"docker tag {repo}:{TAG} {remote}",
        f"aws ecr get-login-password --region {REGION}",
        f"docker login --username AWS --password-stdin {REGISTRY} <stdin:s3cr3t-token>",
        f"aws ecr describe-repositories --region {REGION} --repository-names {repo}",
    ]
    return [*calls, f"docker push {remote}"]


def test_existing_repository_build_tag_login_push(fake_bin: Path) -> None:
    proc, calls = run(fake_bin, repository="exists")
    assert proc.returncode == 0, proc.stderr
    assert calls == expected_calls()
    assert "pushed" in proc.stderr


def test_missing_repository_stops_before_the_push(fake_bin: Path) -> None:
    # Terraform owns the repository (KMS, immutable tags, lifecycle): never created here.
    proc, calls = run(fake_bin, repository="missing")
    assert proc.returncode == 1
    assert calls == expected_calls()[:-1]  # no create, no push
    assert f"ECR repository {REPO_NAME} does not exist" in proc.stderr
    assert "Terraform creates it" in proc.stderr


def test_other_describe_errors_stop_before_pushing(fake_bin: Path) -> None:
    proc, calls = run(fake_bin, repository="denied")
    assert proc.returncode == 1
    assert "AccessDeniedException" in proc.stderr
    assert calls == expected_calls()[:-1]  # no create, no push


def test_repository_name_and_base_image_can_be_overridden(fake_bin: Path) -> None:
    proc, calls = run(
        fake_bin, REPOSITORY_NAME="team/detector", BASE_IMAGE="python:3.11-slim@sha256:abc"
    )
    assert proc.returncode == 0, proc.stderr
    want = expected_calls("team/detector")
    build_arg = "--build-arg BASE_IMAGE=python:3.11-slim@sha256:abc"
    want[0] = want[0].replace("linux/amd64 ", f"linux/amd64 {build_arg} ")
    assert calls == want


def test_dry_run_prints_every_command_and_runs_none(fake_bin: Path) -> None:
    proc, calls = run(fake_bin, "--dry-run", repository="missing")
    assert proc.returncode == 0, proc.stderr
    assert calls == []
    remote = f"{REGISTRY}/{REPO_NAME}:{TAG}"
    assert proc.stdout.splitlines() == [
        f"docker build --platform linux/amd64 --tag {REPO_NAME}:{TAG} "
        f"--file {CONTEXT}/Dockerfile {CONTEXT}",
        f"docker tag {REPO_NAME}:{TAG} {remote}",
        f"aws ecr get-login-password --region {REGION} | "
        f"docker login --username AWS --password-stdin {REGISTRY}",
        f"aws ecr describe-repositories --region {REGION} --repository-names {REPO_NAME}",
        f"docker push {remote}",
    ]


def test_every_missing_variable_gets_its_own_message(fake_bin: Path) -> None:
    proc, calls = run(fake_bin, AWS_ACCOUNT_ID="", AWS_REGION="", REPOSITORY_NAME="", IMAGE_TAG="")
    assert proc.returncode == 2
    assert calls == []
    assert proc.stderr.splitlines() == [f"error: {k} is not set: {v}" for k, v in WHAT.items()]


@pytest.mark.parametrize("name", list(WHAT))
def test_one_missing_variable(fake_bin: Path, name: str) -> None:
    proc, calls = run(fake_bin, **{name: ""})
    assert proc.returncode == 2
    assert calls == []
    assert proc.stderr.strip().splitlines() == [f"error: {name} is not set: {WHAT[name]}"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AWS_ACCOUNT_ID", "12345"),
        ("AWS_REGION", "Ireland"),
        ("IMAGE_TAG", "bad tag"),
        ("REPOSITORY_NAME", "Upper"),
    ],
)
def test_invalid_values_are_refused_before_any_call(fake_bin: Path, name: str, value: str) -> None:
    proc, calls = run(fake_bin, **{name: value})
    assert proc.returncode == 2
    assert calls == []
    assert name in proc.stderr


def test_unknown_argument(fake_bin: Path) -> None:
    proc, calls = run(fake_bin, "--push-to-prod")
    assert proc.returncode == 2
    assert calls == []
