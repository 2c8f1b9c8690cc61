# Status records and Powertools idempotency records share one table: hash
# key `id`, items expire through the `expiration` TTL attribute. On-demand billing, so
# there is no capacity to autoscale.
#
# Two sparse indexes over the plan items (idempotency items carry neither key, so they stay
# out of both; functions/pipeline/status.py writes the attributes):
# - status + deadline_at: non-final plans by when the reconciler looks at them (a plan drops
#   out when final: deadline_at is removed). The reconciler Queries it, never Scans the table.
# - source_uri + uploaded_at: every upload of one S3 key, newest last (`status s3://b/k`).
locals {
  indexes = {
    (var.status_index_name) = { hash = "status", range = "deadline_at" }
    (var.source_index_name) = { hash = "source_uri", range = "uploaded_at" }
  }
}

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  dynamic "attribute" {
    for_each = toset(flatten([for i in values(local.indexes) : [i.hash, i.range]]))
    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash
      range_key       = global_secondary_index.value.range
      projection_type = "ALL"
    }
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
