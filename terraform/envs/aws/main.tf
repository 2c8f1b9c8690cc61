# One root for every AWS environment: environments/<env>.tfvars chooses the inputs,
# environments/<env>.backend.hcl the state (terraform/README.md, "Deploy").
provider "aws" {
  region = var.aws_region
  # A credentials mix-up (prod keys in a dev shell) stops at plan instead of deploying there.
  allowed_account_ids = var.allowed_account_ids

  default_tags {
    tags = var.default_tags
  }
}

locals {
  functions_dir = startswith(var.functions_build_dir, "/") ? var.functions_build_dir : "${path.root}/${var.functions_build_dir}"
}

module "stack" {
  source = "../../modules/stack"

  environment   = var.environment
  bucket_suffix = var.bucket_suffix
  function_packages = {
    for fn in ["trigger", "success", "failure", "reconciler"] : fn => "${local.functions_dir}/${fn}.zip"
  }
  image_tag = var.image_tag

  # null leaves the stack's default (modules/stack/variables.tf).
  instance_type                           = var.instance_type
  max_instance_count                      = var.max_instance_count
  max_concurrent_invocations_per_instance = var.max_concurrent_invocations_per_instance
  target_backlog_per_instance             = var.target_backlog_per_instance
  retry_budget_seconds                    = var.retry_budget_seconds
  retry_base_delay_seconds                = var.retry_base_delay_seconds
  max_receive_count                       = var.max_receive_count
  reserved_concurrency                    = var.reserved_concurrency
  max_concurrency                         = var.max_concurrency
  log_retention_days                      = var.log_retention_days
  log_level                               = var.log_level
  kms_deletion_window_in_days             = var.kms_deletion_window_in_days
  alert_email                             = var.alert_email
}
