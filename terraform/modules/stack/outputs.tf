output "names" {
  description = "Every resource name of the stack (from the naming module)."
  value       = local.names
}

output "prefixes" {
  description = "Key prefixes inside the buckets (blueprints, output, failures, results, models), from the naming module."
  value       = local.prefixes
}

output "blueprints_bucket" {
  description = "Upload plans to s3://<this>/blueprints/."
  value       = module.buckets.blueprints_bucket
}

output "results_bucket" {
  description = "Final documents appear under s3://<this>/results/."
  value       = module.buckets.results_bucket
}

output "ecr_repository_url" {
  description = "Push the detector image here."
  value       = module.ecr.repository_url
}

output "model_data_url" {
  description = "Upload build/model/model.tar.gz here."
  value       = local.model_data_url
}

output "endpoint_name" {
  description = "Name of the async endpoint."
  value       = module.endpoint.endpoint_name
}

output "sagemaker_role_arn" {
  description = "ARN of the SageMaker execution role."
  value       = module.endpoint.role_arn
}

output "success_topic_arn" {
  description = "SNS topic of successful inferences."
  value       = module.notifications.success_topic_arn
}

output "error_topic_arn" {
  description = "SNS topic of failed inferences."
  value       = module.notifications.error_topic_arn
}

output "table_name" {
  description = "Status and idempotency table."
  value       = module.table.name
}

output "status_index_name" {
  description = "The table's index on status + deadline_at (non-final plans by deadline)."
  value       = module.table.status_index_name
}

output "source_index_name" {
  description = "The table's index on source_uri + uploaded_at (a plan by its S3 key)."
  value       = module.table.source_index_name
}

output "reconciler" {
  description = "The reconciler's function and schedule."
  value       = module.functions.reconciler
}

output "function_names" {
  description = "Lambda function names (trigger, success, failure, reconciler)."
  value       = module.functions.function_names
}

output "queue_urls" {
  description = "Source queue URLs (uploads, success, failure)."
  value       = module.functions.queue_urls
}

output "dlq_urls" {
  description = "Dead-letter queue URLs (uploads, success, failure)."
  value       = module.functions.dlq_urls
}

output "kms_key_arn" {
  description = "The stack's KMS key."
  value       = module.kms.key_arn
}

output "alerts_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.observability.alerts_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.observability.dashboard_name
}
