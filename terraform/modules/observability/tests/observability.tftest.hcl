mock_provider "aws" {
  source = "../../mocks"
}

# The policies as the AWS provider renders them: aws_iam_policy_document is computed by the
# provider itself, offline. The real provider with dummy credentials plans it (nothing is
# called); the account id, which only AWS knows, is overridden. Its runs come first: on an
# empty state a plan refreshes nothing, so the mock's resources never reach the real provider.
provider "aws" {
  alias                       = "offline"
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
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

run "only_this_accounts_alarms_publish_alerts" {
  command   = plan
  providers = { aws = aws.offline }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition = alltrue([
      for s in jsondecode(aws_sns_topic_policy.alerts.policy).Statement : (
        s.Principal.Service == "cloudwatch.amazonaws.com" && s.Action == "sns:Publish" &&
        s.Resource == "arn:aws:sns:eu-west-1:111122223333:location-detection-alerts-test" &&
        s.Condition.StringEquals["aws:SourceAccount"] == "111122223333" &&
        s.Condition.ArnLike["aws:SourceArn"] == "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:location-detection-test-*"
      )
    ]) && length(jsondecode(aws_sns_topic_policy.alerts.policy).Statement) == 1
    error_message = "CloudWatch may publish to the alerts topic only for this account's alarms of this stack."
  }
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
