# Encryption, public access block, TLS-only policy, lifecycle and the upload notification.
mock_provider "aws" {
  source = "../../mocks"
}

override_resource {
  target = aws_s3_bucket.this["blueprints"]
  values = { id = "location-detection-blueprints-test", arn = "arn:aws:s3:::location-detection-blueprints-test" }
}
override_resource {
  target = aws_s3_bucket.this["results"]
  values = { id = "location-detection-results-test", arn = "arn:aws:s3:::location-detection-results-test" }
}

variables {
  prefixes               = { blueprints = "blueprints/", inputs = "inputs/", output = "sagemaker-output/", failures = "sagemaker-failures/", results = "results/" }
  blueprints_bucket_name = "location-detection-blueprints-test"
  results_bucket_name    = "location-detection-results-test"
  kms_key_arn            = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  upload_queue_arn       = "arn:aws:sqs:eu-west-1:111122223333:location-detection-uploads-test"
  upload_queue_url       = "https://sqs.eu-west-1.amazonaws.com/111122223333/location-detection-uploads-test"
}

run "buckets_are_private_encrypted_and_versioned" {
  command = apply

  assert {
    condition = alltrue([
      for k, c in aws_s3_bucket_server_side_encryption_configuration.this :
      one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" &&
      one(c.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == var.kms_key_arn &&
      c.bucket == aws_s3_bucket.this[k].id
    ]) && length(aws_s3_bucket_server_side_encryption_configuration.this) == 2
    error_message = "Both buckets must default to SSE-KMS with the stack's key."
  }

  assert {
    condition = length(aws_s3_bucket_public_access_block.this) == 2 && alltrue([
      for k, b in aws_s3_bucket_public_access_block.this :
      b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets && b.bucket == aws_s3_bucket.this[k].id
    ])
    error_message = "Both buckets must block every kind of public access."
  }

  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"]) && length(aws_s3_bucket_versioning.this) == 2
    error_message = "Both buckets must be versioned."
  }

  assert {
    condition = alltrue(flatten([
      for k, d in data.aws_iam_policy_document.tls_only : [
        for s in d.statement : s.effect == "Deny" && one(s.condition).variable == "aws:SecureTransport" && one(s.condition).values == tolist(["false"])
      ]
    ]))
    error_message = "The bucket policies must deny any request without TLS."
  }

  assert {
    condition     = aws_s3_bucket.this["blueprints"].bucket == "location-detection-blueprints-test" && aws_s3_bucket.this["results"].bucket == "location-detection-results-test"
    error_message = "Bucket names come from the inputs (the naming module)."
  }
}

run "uploads_notify_the_trigger_queue" {
  command = apply

  assert {
    condition = (
      one(aws_s3_bucket_notification.blueprints.queue).queue_arn == var.upload_queue_arn &&
      one(aws_s3_bucket_notification.blueprints.queue).filter_prefix == "blueprints/" &&
      one(aws_s3_bucket_notification.blueprints.queue).events == toset(["s3:ObjectCreated:*"]) &&
      aws_s3_bucket_notification.blueprints.bucket == aws_s3_bucket.this["blueprints"].id
    )
    error_message = "Every object created under blueprints/ must be sent to the uploads queue."
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.upload_queue.statement).resources == toset([var.upload_queue_arn]) &&
      one([for c in one(data.aws_iam_policy_document.upload_queue.statement).condition : c.values if c.variable == "aws:SourceArn"]) == tolist([aws_s3_bucket.this["blueprints"].arn])
    )
    error_message = "The uploads queue must accept messages from the blueprints bucket only."
  }
}

run "intermediate_files_expire_final_documents_stay" {
  command = apply

  assert {
    condition = (
      toset([for r in aws_s3_bucket_lifecycle_configuration.this["results"].rule : one(r.filter).prefix if length(r.expiration) > 0]) == toset(["sagemaker-output/", "sagemaker-failures/"]) &&
      [for r in aws_s3_bucket_lifecycle_configuration.this["blueprints"].rule : one(r.filter).prefix if length(r.expiration) > 0] == ["inputs/"]
    )
    error_message = "Only the async output and failure prefixes (results bucket) and the pinned inputs expire; by default no upload does."
  }

  assert {
    condition     = alltrue([for r in concat(aws_s3_bucket_lifecycle_configuration.this["results"].rule, aws_s3_bucket_lifecycle_configuration.this["blueprints"].rule) : length(r.abort_incomplete_multipart_upload) == 1])
    error_message = "Every lifecycle rule must abort incomplete multipart uploads."
  }
}

run "uploads_expire_only_when_asked" {
  command = plan

  variables {
    blueprint_expiration_days = 30
  }

  assert {
    condition     = toset([for r in aws_s3_bucket_lifecycle_configuration.this["blueprints"].rule : one(r.filter).prefix if length(r.expiration) > 0]) == toset(["blueprints/", "inputs/"])
    error_message = "blueprint_expiration_days expires the uploads prefix of the blueprints bucket (by default nothing there expires)."
  }
}

run "rejects_prefixes_without_a_trailing_slash" {
  command = plan

  variables {
    prefixes = { blueprints = "blueprints", inputs = "inputs/", output = "sagemaker-output/", failures = "sagemaker-failures/", results = "results/" }
  }

  expect_failures = [var.prefixes]
}
