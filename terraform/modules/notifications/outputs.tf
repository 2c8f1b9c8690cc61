output "success_topic_arn" {
  description = "ARN of the success topic (async_inference_config success_topic)."
  value       = aws_sns_topic.this["success"].arn
}

output "error_topic_arn" {
  description = "ARN of the error topic (async_inference_config error_topic)."
  value       = aws_sns_topic.this["error"].arn
}

output "subscription_arns" {
  description = "ARNs of the SQS subscriptions, by topic (success, error)."
  value       = { for k, s in aws_sns_topic_subscription.this : k => s.arn }
}
