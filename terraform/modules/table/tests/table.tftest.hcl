mock_provider "aws" {}

variables {
  name        = "location-detection-status-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
}

run "status_and_idempotency_table" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "id" && one(aws_dynamodb_table.this.attribute).type == "S"
    error_message = "Hash key id (S), as Powertools idempotency and the status records expect."
  }

  assert {
    condition     = aws_dynamodb_table.this.ttl[0].enabled && aws_dynamodb_table.this.ttl[0].attribute_name == "expiration"
    error_message = "Items must expire through the expiration TTL attribute."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery must be on."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled && aws_dynamodb_table.this.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    error_message = "The table must be encrypted with the stack's key."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "Deletion protection is on by default."
  }
}
