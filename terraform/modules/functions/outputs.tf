output "function_names" {
  description = "Names of the functions, by role (trigger, success, failure, reconciler)."
  value = merge(
    { for k, f in aws_lambda_function.this : k => f.function_name },
    { reconciler = aws_lambda_function.reconciler.function_name },
  )
}

output "reconciler" {
  description = "The reconciler's function and schedule (a local runner invokes it on this schedule)."
  value = {
    function_name       = aws_lambda_function.reconciler.function_name
    schedule_name       = aws_cloudwatch_event_rule.reconcile.name
    schedule_expression = aws_cloudwatch_event_rule.reconcile.schedule_expression
  }
}

output "function_arns" {
  description = "ARNs of the functions, by role."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "role_arns" {
  description = "ARNs of the execution roles, by function (trigger, success, failure, reconciler)."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "queue_arns" {
  description = "ARNs of the source queues (uploads, success, failure)."
  value       = { for k, q in aws_sqs_queue.source : k => q.arn }
}

output "queue_urls" {
  description = "URLs of the source queues (uploads, success, failure)."
  value       = { for k, q in aws_sqs_queue.source : k => q.url }
}

output "queue_names" {
  description = "Names of the source queues."
  value       = { for k, q in aws_sqs_queue.source : k => q.name }
}

output "dlq_arns" {
  description = "ARNs of the dead-letter queues, by source queue."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.arn }
}

output "dlq_names" {
  description = "Names of the dead-letter queues, by source queue."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.name }
}

output "dlq_urls" {
  description = "URLs of the dead-letter queues, by source queue."
  value       = { for k, q in aws_sqs_queue.dlq : k => q.url }
}

output "log_group_names" {
  description = "Log groups of the functions."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}
