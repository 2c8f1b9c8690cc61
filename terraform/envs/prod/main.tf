provider "aws" {
  region = var.aws_region
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
  image_tag            = var.image_tag
  instance_type        = var.instance_type
  max_instance_count   = var.max_instance_count
  retry_budget_seconds = var.retry_budget_seconds
  max_receive_count    = var.max_receive_count
  log_retention_days   = var.log_retention_days
  alert_email          = var.alert_email
}
