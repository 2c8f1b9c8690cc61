# The same stack as dev and prod, applied to the local emulator. moto accepts any
# credentials; nothing here reaches AWS.
provider "aws" {
  region     = var.aws_region
  access_key = "local"
  secret_key = "local"

  # Fail fast on an operation the emulator lacks instead of retrying for minutes.
  max_retries = 2

  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  s3_use_path_style           = true

  endpoints {
    applicationautoscaling = var.emulator_endpoint
    cloudwatch             = var.emulator_endpoint
    dynamodb               = var.emulator_endpoint
    events                 = var.emulator_endpoint
    ecr                    = var.emulator_endpoint
    iam                    = var.emulator_endpoint
    kms                    = var.emulator_endpoint
    lambda                 = var.emulator_endpoint
    logs                   = var.emulator_endpoint
    s3                     = var.emulator_endpoint
    sagemaker              = var.emulator_endpoint
    sns                    = var.emulator_endpoint
    sqs                    = var.emulator_endpoint
    sts                    = var.emulator_endpoint
  }
}

locals {
  functions_dir = startswith(var.functions_build_dir, "/") ? var.functions_build_dir : "${path.root}/${var.functions_build_dir}"
}

module "stack" {
  source = "../../modules/stack"

  environment = "local"
  function_packages = {
    for fn in ["trigger", "success", "failure", "reconciler"] : fn => "${local.functions_dir}/${fn}.zip"
  }
  image_tag     = var.image_tag
  instance_type = var.instance_type

  # Throw-away: destroy must succeed with data in the buckets and the table.
  protect_data                = false
  kms_deletion_window_in_days = 7
  log_retention_days          = 7
  log_level                   = "DEBUG"
  max_instance_count          = 1
  event_sources_enabled       = var.event_sources_enabled
  retry_base_delay_seconds    = var.retry_base_delay_seconds
  # A short invocation timeout lets the fault tests see the reconciler at work within a minute;
  # the queue TTL, like the budget, outlasts a local burst (SageMaker's default is 6 h).
  retry_budget_seconds       = var.retry_budget_seconds
  retry_max_delay_seconds    = 10
  invocation_timeout_seconds = 30
  request_ttl_seconds        = 1800
  reconcile_margin_seconds   = 10
  reconcile_schedule         = "rate(1 minute)"
}
