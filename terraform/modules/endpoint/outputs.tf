output "endpoint_name" {
  description = "Name of the async endpoint."
  value       = aws_sagemaker_endpoint.this.name
}

output "endpoint_arn" {
  description = "ARN of the async endpoint (the trigger's InvokeEndpointAsync resource)."
  value       = aws_sagemaker_endpoint.this.arn
}

output "endpoint_config_name" {
  description = "Name of the current endpoint configuration."
  value       = aws_sagemaker_endpoint_configuration.this.name
}

output "role_arn" {
  description = "ARN of the SageMaker execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the SageMaker execution role."
  value       = aws_iam_role.this.name
}

output "scalable_target_resource_id" {
  description = "Application Auto Scaling resource id of the production variant."
  value       = aws_appautoscaling_target.this.resource_id
}

output "scale_from_zero_alarm_name" {
  description = "Name of the HasBacklogWithoutCapacity alarm that drives the scale-from-zero policy."
  value       = aws_cloudwatch_metric_alarm.has_backlog_without_capacity.alarm_name
}
