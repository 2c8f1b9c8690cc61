# The alerts topic's policy as the AWS provider renders it (aws_iam_policy_document is computed
# offline by the provider: real provider, dummy credentials, plan only; the account id, which only
# AWS knows, is overridden).
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
}

variables {
  alerts_topic_name = "location-detection-alerts-test"
  kms_key_arn       = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  dashboard_name    = "location-detection-test"
  alarm_prefix      = "location-detection-test"
  endpoint_name     = "location-detector-test"
  function_names    = { trigger = "t", success = "s", failure = "f" }
  queue_names       = { uploads = "uploads", success = "success", failure = "failure" }
  dlq_names         = { uploads = "uploads-dlq", success = "success-dlq", failure = "failure-dlq" }
}

run "only_this_accounts_alarms_publish_alerts" {
  command = plan

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
