# The topic policies as the AWS provider renders them (aws_iam_policy_document is computed
# offline by the provider: real provider, dummy credentials, plan only; the account id, which
# only AWS knows, is overridden).
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
  success_topic_name = "location-detection-inference-test"
  error_topic_name   = "location-detection-inference-errors-test"
  publisher_role_arn = "arn:aws:iam::111122223333:role/LocationDetection-test-SageMakerRole"
  kms_key_arn        = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  success_queue      = { arn = "arn:aws:sqs:eu-west-1:111122223333:success", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/success" }
  failure_queue      = { arn = "arn:aws:sqs:eu-west-1:111122223333:failure", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/failure" }
}

run "only_the_endpoint_role_publishes" {
  command = plan

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
