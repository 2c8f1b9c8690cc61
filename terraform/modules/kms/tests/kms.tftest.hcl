mock_provider "aws" {
  source = "../../mocks"
}

variables {
  alias = "alias/location-detection-test"
}

run "key_rotates_and_services_are_scoped" {
  command = apply

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The key must rotate."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/location-detection-test" && aws_kms_alias.this.target_key_id == aws_kms_key.this.key_id
    error_message = "The alias must point at the key."
  }

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.key.statement : length(s.condition) > 0
      if anytrue([for p in s.principals : p.type == "Service"])
    ])
    error_message = "Every service allowed to use the key is scoped by a condition (this account, these log groups)."
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.key.statement : one(s.condition).values if s.sid == "CloudWatchLogs"
    ]) == tolist(["arn:aws:logs:eu-west-1:111122223333:log-group:*"])
    error_message = "CloudWatch Logs may use the key for this account's log groups in this region only."
  }
}

run "rejects_a_reserved_alias" {
  command = plan

  variables {
    alias = "alias/aws/s3"
  }

  expect_failures = [var.alias]
}
