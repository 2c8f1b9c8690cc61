mock_provider "aws" {
  source = "../../mocks"
}

variables {
  name        = "location-detection-status-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
}

run "status_and_idempotency_table" {
  command = apply

  assert {
    condition     = aws_dynamodb_table.this.hash_key == "id" && one([for a in aws_dynamodb_table.this.attribute : a.type if a.name == "id"]) == "S"
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

run "indexes_for_the_reconciler_and_the_status_lookup" {
  command = apply

  assert {
    condition = one([
      for g in aws_dynamodb_table.this.global_secondary_index : g
      if g.name == output.status_index_name && g.hash_key == "status" && g.range_key == "deadline_at"
    ]) != null
    error_message = "The reconciler queries non-final plans by status + deadline_at."
  }

  assert {
    condition = one([
      for g in aws_dynamodb_table.this.global_secondary_index : g
      if g.name == output.source_index_name && g.hash_key == "source_uri" && g.range_key == "uploaded_at"
    ]) != null
    error_message = "A plan is found by its S3 source key without a Scan."
  }

  assert {
    condition     = alltrue([for g in aws_dynamodb_table.this.global_secondary_index : g.projection_type == "ALL"])
    error_message = "The indexes project whole items: one Query answers, no GetItem per plan."
  }

  assert {
    condition     = length(aws_dynamodb_table.this.attribute) == 5
    error_message = "Only key attributes are declared (id and the four index keys)."
  }
}
