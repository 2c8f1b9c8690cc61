mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:location-detection-alerts-test" }
  }
}

variables {
  alerts_topic_name = "location-detection-alerts-test"
  kms_key_arn       = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  dashboard_name    = "location-detection-test"
  alarm_prefix      = "location-detection-test"
  endpoint_name     = "location-detector-test"
  function_names = {
    trigger = "LocationDetection-test-InferenceTrigger"
    success = "LocationDetection-test-InferenceSuccess"
    failure = "LocationDetection-test-InferenceFailure"
  }
  queue_names = { uploads = "uploads", success = "success", failure = "failure" }
  dlq_names   = { uploads = "uploads-dlq", success = "success-dlq", failure = "failure-dlq" }
}

run "dashboard_shows_the_pipeline" {
  command = apply

  assert {
    condition = alltrue([
      for m in ["ModelLatency", "Invocations", "InvocationFailures", "ApproximateBacklogSize", "ApproximateBacklogSizePerInstance",
      "ApproximateAgeOfOldestRequest", "HasBacklogWithoutCapacity", "Errors", "Duration", "ApproximateNumberOfMessagesVisible"] :
      strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"${m}\"")
    ])
    error_message = "The dashboard must show the endpoint, backlog, Lambda and queue metrics."
  }

  assert {
    condition     = alltrue([for q in values(var.dlq_names) : strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "\"${q}\"")])
    error_message = "The dashboard must show every dead-letter queue."
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "LocationDetector")
    error_message = "The dashboard must show the Powertools metrics namespace."
  }
}

run "alarms_page_the_alerts_topic" {
  command = apply

  assert {
    condition = alltrue([
      for a in concat(values(aws_cloudwatch_metric_alarm.lambda_errors), values(aws_cloudwatch_metric_alarm.dead_letters),
      [aws_cloudwatch_metric_alarm.backlog_age, aws_cloudwatch_metric_alarm.invocation_failures]) :
      a.alarm_actions == toset([aws_sns_topic.alerts.arn])
    ])
    error_message = "Every alarm must notify the alerts topic."
  }

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.dead_letters : a.dimensions.QueueName]) == toset(values(var.dlq_names))
    error_message = "There must be a dead-letter alarm per DLQ."
  }

  assert {
    condition     = toset([for a in aws_cloudwatch_metric_alarm.lambda_errors : a.dimensions.FunctionName]) == toset(values(var.function_names))
    error_message = "There must be an error alarm per Lambda."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.backlog_age.metric_name == "ApproximateAgeOfOldestRequest" && aws_cloudwatch_metric_alarm.backlog_age.dimensions.EndpointName == var.endpoint_name
    error_message = "The backlog age alarm must watch this endpoint's oldest request."
  }

  assert {
    condition     = aws_sns_topic.alerts.kms_master_key_id == var.kms_key_arn
    error_message = "The alerts topic must be encrypted."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 0
    error_message = "No e-mail subscription unless an address is given."
  }
}

run "optional_email_subscription" {
  command = plan

  variables {
    alert_email = "oncall@example.com"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.email) == 1 && aws_sns_topic_subscription.email[0].endpoint == "oncall@example.com"
    error_message = "An alert_email subscribes to the alerts topic."
  }
}

run "rejects_a_malformed_email" {
  command = plan

  variables {
    alert_email = "not-an-address"
  }

  expect_failures = [var.alert_email]
}
