data "aws_caller_identity" "current" {}

locals {
  buckets = {
    blueprints = var.blueprints_bucket_name
    results    = var.results_bucket_name
  }

  # The prefixes that expire, by bucket, with their age in days. Uploads only when
  # blueprint_expiration_days is set; the async endpoint's raw .out and failure files are
  # intermediate: the final document is under results/.
  expiring = {
    # Pinned inputs are copied again by every attempt, so they only need to outlive one.
    blueprints = merge(
      { inputs = var.intermediate_expiration_days },
      { for k in ["blueprints"] : k => var.blueprint_expiration_days if var.blueprint_expiration_days > 0 },
    )
    results = { for k in ["output", "failures"] : k => var.intermediate_expiration_days }
  }
}

# Access logging and cross-region replication are account-level decisions (a central log
# bucket, a DR region) that this stack does not own; checkov's checks for them are skipped
# with that reason.
resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logging needs a log bucket, an account-level choice this stack does not own; it is not enabled here (terraform/README.md, "checkov skips").
  #checkov:skip=CKV_AWS_144:Cross-region replication is a per-account DR decision; results can be recomputed from the blueprints.
  #checkov:skip=CKV2_AWS_61:Both buckets have lifecycle rules (aws_s3_bucket_lifecycle_configuration.this below); checkov cannot link them to a for_each bucket.
  #checkov:skip=CKV2_AWS_62:Only the blueprints bucket needs event notifications (the results bucket is written by the pipeline itself).
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = merge(var.tags, { Purpose = each.key })
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.this

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.tls_only[each.key].json

  # S3 rejects a bucket policy while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  # One rule per expiring prefix of this bucket (local.expiring: prefix key => days).
  dynamic "rule" {
    for_each = local.expiring[each.key]
    content {
      id     = "expire-${rule.key}"
      status = "Enabled"
      filter {
        prefix = var.prefixes[rule.key]
      }
      abort_incomplete_multipart_upload {
        days_after_initiation = 7
      }
      expiration {
        days = rule.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# The uploads queue accepts messages from this bucket only (and only from this account).
data "aws_iam_policy_document" "upload_queue" {
  statement {
    sid       = "AllowBlueprintsBucket"
    actions   = ["sqs:SendMessage"]
    resources = [var.upload_queue_arn]
    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.this["blueprints"].arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sqs_queue_policy" "upload_queue" {
  queue_url = var.upload_queue_url
  policy    = data.aws_iam_policy_document.upload_queue.json
}

resource "aws_s3_bucket_notification" "blueprints" {
  bucket = aws_s3_bucket.this["blueprints"].id

  queue {
    id            = "blueprint-uploads"
    queue_arn     = var.upload_queue_arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.prefixes.blueprints
  }

  # S3 checks it may send to the queue when the notification is written.
  depends_on = [aws_sqs_queue_policy.upload_queue]
}
