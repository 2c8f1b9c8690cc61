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

override_resource {
  target = aws_sns_topic.this["success"]
  values = { arn = "arn:aws:sns:eu-west-1:111122223333:location-detection-inference-test" }
}
override_resource {
  target = aws_sns_topic.this["error"]
  values = { arn = "arn:aws:sns:eu-west-1:111122223333:location-detection-inference-errors-test" }
}

variables {
  success_topic_name = "location-detection-inference-test"
  error_topic_name   = "location-detection-inference-errors-test"
  publisher_role_arn = "arn:aws:iam::111122223333:role/LocationDetection-test-SageMakerRole"
  kms_key_arn        = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  success_queue = {
    arn = "arn:aws:sqs:eu-west-1:111122223333:location-detection-success-test"
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/location-detection-success-test"
  }
  failure_queue = {
    arn = "arn:aws:sqs:eu-west-1:111122223333:location-detection-failure-test"
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/location-detection-failure-test"
  }
}

run "only_the_endpoint_role_publishes" {
  command   = plan
  providers = { aws = aws.offline }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition = alltrue([
      for topic, name in { success = var.success_topic_name, error = var.error_topic_name } : alltrue([
        for s in jsondecode(data.aws_iam_policy_document.topic[topic].json).Statement :
        s.Resource == "arn:aws:sns:eu-west-1:111122223333:${name}" && s.Action == "sns:Publish" && (
          s.Effect == "Allow" ? s.Principal.AWS == var.publisher_role_arn :
          s.Principal.AWS == "*" && s.Condition.ArnNotEquals["aws:PrincipalArn"] == var.publisher_role_arn
        )
      ]) && length(jsondecode(data.aws_iam_policy_document.topic[topic].json).Statement) == 2
    ])
    error_message = "Each topic allows Publish to the endpoint role and denies it to every other principal, on that topic only."
  }
}

run "topics_feed_their_queues" {
  command = apply

  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == var.kms_key_arn]) && length(aws_sns_topic.this) == 2
    error_message = "Both topics must be encrypted with the stack's key."
  }

  assert {
    condition = (
      aws_sns_topic_subscription.this["success"].topic_arn == aws_sns_topic.this["success"].arn &&
      aws_sns_topic_subscription.this["success"].endpoint == var.success_queue.arn &&
      aws_sns_topic_subscription.this["error"].topic_arn == aws_sns_topic.this["error"].arn &&
      aws_sns_topic_subscription.this["error"].endpoint == var.failure_queue.arn
    )
    error_message = "Success topic -> success queue, error topic -> failure queue."
  }

  assert {
    condition     = alltrue([for s in aws_sns_topic_subscription.this : s.protocol == "sqs" && s.raw_message_delivery == false])
    error_message = "Subscriptions deliver the SNS envelope (raw_message_delivery = false)."
  }

  assert {
    condition = (
      aws_sqs_queue_policy.this["success"].queue_url == var.success_queue.url &&
      one([for c in one(data.aws_iam_policy_document.queue["success"].statement).condition : c.values if c.variable == "aws:SourceArn"]) == tolist([aws_sns_topic.this["success"].arn]) &&
      one([for c in one(data.aws_iam_policy_document.queue["error"].statement).condition : c.values if c.variable == "aws:SourceArn"]) == tolist([aws_sns_topic.this["error"].arn])
    )
    error_message = "Each queue accepts messages from its own topic only."
  }
}
