# The whole pipeline for one environment; the roots under envs/ only choose its inputs.
data "aws_caller_identity" "current" {}

module "naming" {
  source = "../naming"

  environment = var.environment
  # Bucket names are global: the account id makes dev and prod of every team distinct.
  bucket_suffix = coalesce(var.bucket_suffix, data.aws_caller_identity.current.account_id)
  tags          = var.tags
}

locals {
  names    = module.naming.names
  prefixes = module.naming.prefixes
  tags     = module.naming.tags

  # The functions fed by a queue (the reconciler runs on a schedule), and their queues.
  queue_functions = ["trigger", "success", "failure"]
  queues          = ["uploads", "success", "failure"]

  image_uri = coalesce(var.image_uri, "${module.ecr.repository_url}:${var.image_tag}")
  # One artifact key per release, so a rollback finds the previous release's artifact.
  model_artifact_key = coalesce(var.model_artifact_key, "${local.prefixes.models}location-detector/${var.image_tag}/model.tar.gz")
  model_data_url     = "s3://${module.buckets.results_bucket}/${local.model_artifact_key}"
}

module "kms" {
  source = "../kms"

  alias                   = local.names.kms_alias
  deletion_window_in_days = var.kms_deletion_window_in_days
  tags                    = local.tags
}

module "ecr" {
  source = "../ecr"

  name         = local.names.ecr_repository
  kms_key_arn  = module.kms.key_arn
  force_delete = !var.protect_data
  tags         = local.tags
}

module "table" {
  source = "../table"

  name                = local.names.table
  kms_key_arn         = module.kms.key_arn
  deletion_protection = var.protect_data
  tags                = local.tags
}

module "buckets" {
  source = "../buckets"

  blueprints_bucket_name = local.names.blueprints_bucket
  results_bucket_name    = local.names.results_bucket
  prefixes               = local.prefixes
  kms_key_arn            = module.kms.key_arn
  upload_queue_arn       = module.functions.queue_arns["uploads"]
  upload_queue_url       = module.functions.queue_urls["uploads"]
  force_destroy          = !var.protect_data
  tags                   = local.tags
}

module "notifications" {
  source = "../notifications"

  success_topic_name = local.names.success_topic
  error_topic_name   = local.names.error_topic
  publisher_role_arn = module.endpoint.role_arn
  kms_key_arn        = module.kms.key_arn
  success_queue = {
    arn = module.functions.queue_arns["success"]
    url = module.functions.queue_urls["success"]
  }
  failure_queue = {
    arn = module.functions.queue_arns["failure"]
    url = module.functions.queue_urls["failure"]
  }
  tags = local.tags
}

module "endpoint" {
  source = "../endpoint"

  endpoint_name                           = local.names.endpoint
  model_name_prefix                       = local.names.model_prefix
  endpoint_config_name_prefix             = local.names.endpoint_config
  role_name                               = local.names.sagemaker_role
  image_uri                               = local.image_uri
  ecr_repository_arn                      = module.ecr.repository_arn
  model_data_url                          = local.model_data_url
  blueprints_bucket_arn                   = module.buckets.blueprints_bucket_arn
  results_bucket_arn                      = module.buckets.results_bucket_arn
  prefixes                                = local.prefixes
  success_topic_arn                       = module.notifications.success_topic_arn
  error_topic_arn                         = module.notifications.error_topic_arn
  kms_key_arn                             = module.kms.key_arn
  instance_type                           = var.instance_type
  max_instance_count                      = var.max_instance_count
  max_concurrent_invocations_per_instance = var.max_concurrent_invocations_per_instance
  target_backlog_per_instance             = var.target_backlog_per_instance
  log_retention_days                      = var.log_retention_days
  tags                                    = local.tags
}

module "functions" {
  source = "../functions"

  # The naming module's <function>_function, <function>_role, <queue>_queue and <queue>_dlq.
  function_names = { for fn in local.queue_functions : fn => local.names["${fn}_function"] }
  role_names     = { for fn in local.queue_functions : fn => local.names["${fn}_role"] }
  queue_names    = { for q in local.queues : q => local.names["${q}_queue"] }
  dlq_names      = { for q in local.queues : q => local.names["${q}_dlq"] }
  packages       = { for fn in local.queue_functions : fn => var.function_packages[fn] }
  reconciler = {
    function_name = local.names.reconciler
    role_name     = local.names.reconciler_role
    schedule_name = local.names.reconcile_rule
    package       = var.function_packages.reconciler
  }
  status_index_name          = module.table.status_index_name
  table_name                 = module.table.name
  table_arn                  = module.table.arn
  blueprints_bucket_arn      = module.buckets.blueprints_bucket_arn
  results_bucket_name        = module.buckets.results_bucket
  results_bucket_arn         = module.buckets.results_bucket_arn
  prefixes                   = local.prefixes
  endpoint_name              = module.endpoint.endpoint_name
  endpoint_arn               = module.endpoint.endpoint_arn
  kms_key_arn                = module.kms.key_arn
  reserved_concurrency       = var.reserved_concurrency
  max_concurrency            = var.max_concurrency
  max_receive_count          = var.max_receive_count
  log_retention_days         = var.log_retention_days
  log_level                  = var.log_level
  retry_budget_seconds       = var.retry_budget_seconds
  retry_base_delay_seconds   = var.retry_base_delay_seconds
  retry_max_delay_seconds    = var.retry_max_delay_seconds
  reconcile_margin_seconds   = var.reconcile_margin_seconds
  reconcile_schedule         = var.reconcile_schedule
  invocation_timeout_seconds = var.invocation_timeout_seconds
  request_ttl_seconds        = var.request_ttl_seconds
  event_sources_enabled      = var.event_sources_enabled
  tags                       = local.tags
}

module "observability" {
  source = "../observability"

  alerts_topic_name = local.names.alerts_topic
  alert_email       = var.alert_email
  kms_key_arn       = module.kms.key_arn
  dashboard_name    = local.names.dashboard
  alarm_prefix      = local.names.alarm_prefix
  endpoint_name     = module.endpoint.endpoint_name
  function_names    = module.functions.function_names
  queue_names       = module.functions.queue_names
  dlq_names         = module.functions.dlq_names
  tags              = local.tags
}
