output "alerts_topic_arn" {
  description = "ARN of the alerts topic (subscribe pagers or chat here)."
  value       = aws_sns_topic.alerts.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_names" {
  description = "Names of every alarm of the module."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.lambda_errors : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.dead_letters : a.alarm_name],
    [aws_cloudwatch_metric_alarm.backlog_age.alarm_name, aws_cloudwatch_metric_alarm.invocation_failures.alarm_name],
  )
}
