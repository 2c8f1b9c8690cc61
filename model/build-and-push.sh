#!/usr/bin/env bash
# Build the SageMaker model image, tag it for ECR, log in and push it. Terraform owns the
# repository (one per environment, immutable tags, KMS, lifecycle): this script never creates
# it, and stops before pushing when it does not exist yet (terraform/README.md, "Deploy").
#
# Usage:
#   AWS_ACCOUNT_ID=123456789012 AWS_REGION=eu-west-1 REPOSITORY_NAME=location-detector-dev \
#     IMAGE_TAG=1.2.0 model/build-and-push.sh [--dry-run]
#
# Required:  AWS_ACCOUNT_ID, AWS_REGION, REPOSITORY_NAME, IMAGE_TAG
# Optional:  DOCKER_PLATFORM   target platform (default: linux/amd64, SageMaker's x86 instances)
#            BASE_IMAGE        base image override, e.g. pinned by digest
# --dry-run prints every command instead of running it (nothing is built, called or pushed).
# Needs: docker, and the AWS CLI v2 with credentials for the account.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p;}' "$0"; }

dry_run=false
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "error: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

missing=0
require() { # NAME, what it is: one clear message per missing variable
  if [[ -z "${!1:-}" ]]; then
    echo "error: $1 is not set: $2" >&2
    missing=1
  fi
}
require AWS_ACCOUNT_ID "the 12-digit id of the AWS account that owns the ECR registry"
require AWS_REGION "the AWS region of the registry and the endpoint, e.g. eu-west-1"
require REPOSITORY_NAME "the environment's ECR repository, e.g. location-detector-dev (terraform output stack)"
require IMAGE_TAG "the release tag to push, e.g. IMAGE_TAG=1.2.0 (tags are immutable: one per release)"
if ((missing)); then exit 2; fi

invalid() { echo "error: $1" >&2; exit 2; }
[[ "$AWS_ACCOUNT_ID" =~ ^[0-9]{12}$ ]] ||
  invalid "AWS_ACCOUNT_ID must be 12 digits, got '$AWS_ACCOUNT_ID'"
[[ "$AWS_REGION" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  invalid "AWS_REGION does not look like a region (e.g. eu-west-1), got '$AWS_REGION'"
[[ "$IMAGE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
  invalid "IMAGE_TAG is not a valid Docker tag, got '$IMAGE_TAG'"
[[ "$REPOSITORY_NAME" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] ||
  invalid "REPOSITORY_NAME is not a valid ECR repository name, got '$REPOSITORY_NAME'"

context="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
registry="${AWS_ACCOUNT_ID}.dkr.ecr.${AWS_REGION}.amazonaws.com"
local_image="${REPOSITORY_NAME}:${IMAGE_TAG}"
remote_image="${registry}/${REPOSITORY_NAME}:${IMAGE_TAG}"
build_args=()
if [[ -n "${BASE_IMAGE:-}" ]]; then build_args=(--build-arg "BASE_IMAGE=${BASE_IMAGE}"); fi

say() { echo "==> $*" >&2; }
show() { # print a command the way a shell would read it back
  local out="" word
  for word in "$@"; do out+="$(printf '%q' "$word") "; done
  echo "${out% }"
}
run() { if $dry_run; then show "$@"; else "$@"; fi; }

say "building ${local_image} for ${DOCKER_PLATFORM:-linux/amd64}"
run docker build --platform "${DOCKER_PLATFORM:-linux/amd64}" ${build_args[@]+"${build_args[@]}"} \
  --tag "$local_image" --file "$context/Dockerfile" "$context"
run docker tag "$local_image" "$remote_image"

say "logging in to ${registry}"
if $dry_run; then
  echo "$(show aws ecr get-login-password --region "$AWS_REGION") |" \
    "$(show docker login --username AWS --password-stdin "$registry")"
else
  aws ecr get-login-password --region "$AWS_REGION" |
    docker login --username AWS --password-stdin "$registry"
fi

# Checked after the build (a missing repository is told before anything is pushed).
describe=(aws ecr describe-repositories --region "$AWS_REGION" --repository-names "$REPOSITORY_NAME")
if $dry_run; then
  show "${describe[@]}"
elif error="$("${describe[@]}" 2>&1 >/dev/null)"; then
  say "repository ${REPOSITORY_NAME} exists"
elif [[ "$error" == *RepositoryNotFoundException* ]]; then
  echo "error: ECR repository ${REPOSITORY_NAME} does not exist in ${AWS_ACCOUNT_ID}/${AWS_REGION}." \
    "Terraform creates it: apply the environment first (terraform/README.md, \"Deploy\")." >&2
  exit 1
else
  echo "error: cannot check the ECR repository ${REPOSITORY_NAME}: ${error}" >&2
  exit 1
fi

say "pushing ${remote_image}"
run docker push "$remote_image"
$dry_run || say "pushed ${remote_image}"
