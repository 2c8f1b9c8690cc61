data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  # The stack's alarms, and only those, may publish to the alerts topic.
  alarm_arns = "arn:${data.aws_partition.current.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.alarm_prefix}-*"
  # Built from the name (as SNS does) so the policy is known, and checked, at plan time.
  alerts_topic_arn = "arn:${data.aws_partition.current.partition}:sns:${local.region}:${local.account_id}:${var.alerts_topic_name}"
  endpoint         = { EndpointName = var.endpoint_name }

  # Dashboard metric rows: [namespace, metric, dim, value, ...].
  endpoint_metric = [for m in ["ApproximateBacklogSize", "ApproximateBacklogSizePerInstance", "HasBacklogWithoutCapacity"] :
  ["AWS/SageMaker", m, "EndpointName", var.endpoint_name]]
  lambda_metric = { for stat in ["Errors", "Duration", "Throttles"] : stat => [
    for k, f in var.function_names : ["AWS/Lambda", stat, "FunctionName", f, { label = k }]
  ] }

  widgets = [
    { title = "Endpoint invocations", stat = "Sum", metrics = [
      ["AWS/SageMaker", "Invocations", "EndpointName", var.endpoint_name, "VariantName", var.variant_name],
      # Spelled with three s: the metric's real name.
      ["AWS/SageMaker", "InvocationsProcesssed", "EndpointName", var.endpoint_name],
      ["AWS/SageMaker", "InvocationFailures", "EndpointName", var.endpoint_name],
      ["AWS/SageMaker", "Invocation4XXErrors", "EndpointName", var.endpoint_name, "VariantName", var.variant_name],
      ["AWS/SageMaker", "Invocation5XXErrors", "EndpointName", var.endpoint_name, "VariantName", var.variant_name],
    ] },
    { title = "Model latency (us)", stat = "Average", metrics = [
      ["AWS/SageMaker", "ModelLatency", "EndpointName", var.endpoint_name, "VariantName", var.variant_name],
      ["AWS/SageMaker", "ModelLatency", "EndpointName", var.endpoint_name, "VariantName", var.variant_name, { stat = "p90" }],
    ] },
    { title = "Async backlog", stat = "Average", metrics = local.endpoint_metric },
    { title = "Oldest request age (s)", stat = "Maximum", metrics = [
      ["AWS/SageMaker", "ApproximateAgeOfOldestRequest", "EndpointName", var.endpoint_name],
    ] },
    { title = "Lambda errors", stat = "Sum", metrics = local.lambda_metric["Errors"] },
    { title = "Lambda duration (ms)", stat = "Average", metrics = local.lambda_metric["Duration"] },
    { title = "Lambda throttles", stat = "Sum", metrics = local.lambda_metric["Throttles"] },
    { title = "Queue depth", stat = "Maximum", metrics = [
      for k, q in var.queue_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { label = k }]
    ] },
    { title = "Dead letters", stat = "Maximum", metrics = [
      for k, q in var.dlq_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, { label = "${k} DLQ" }]
    ] },
    # Powertools metrics: whatever the functions emit in their namespace, per service.
    { title = "Pipeline metrics (Powertools)", stat = "Sum", metrics = [
      [{ expression = "SEARCH('{${var.metrics_namespace},service} ', 'Sum', 300)", id = "powertools", label = "" }],
    ] },
  ]
}

resource "aws_sns_topic" "alerts" {
  name              = var.alerts_topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [local.alerts_topic_arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.alarm_arns]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alert_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({
    widgets = [for i, w in local.widgets : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = w.title
        region  = local.region
        stat    = w.stat
        period  = 60
        view    = "timeSeries"
        metrics = w.metrics
      }
    }]
  })
}

# ---------------------------------------------------------------- alarms
resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.function_names

  alarm_name          = "${var.alarm_prefix}-${each.key}-errors"
  alarm_description   = "The ${each.key} Lambda (${each.value}) reported errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = var.dlq_names

  alarm_name          = "${var.alarm_prefix}-${each.key}-dead-letters"
  alarm_description   = "Messages were parked in the ${each.key} dead-letter queue (${each.value})."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "backlog_age" {
  alarm_name          = "${var.alarm_prefix}-backlog-age"
  alarm_description   = "The oldest async request of ${var.endpoint_name} waits longer than ${var.backlog_age_threshold_seconds} s."
  namespace           = "AWS/SageMaker"
  metric_name         = "ApproximateAgeOfOldestRequest"
  dimensions          = local.endpoint
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.backlog_age_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "invocation_failures" {
  alarm_name          = "${var.alarm_prefix}-invocation-failures"
  alarm_description   = "Async inferences of ${var.endpoint_name} failed."
  namespace           = "AWS/SageMaker"
  metric_name         = "InvocationFailures"
  dimensions          = local.endpoint
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}
