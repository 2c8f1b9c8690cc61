mock_provider "aws" {
  source = "../../mocks"
}

variables {
  name        = "location-detector"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
}

run "repository_is_immutable_scanned_and_encrypted" {
  command = apply

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Image tags must be immutable."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Images must be scanned on push."
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS" && aws_ecr_repository.this.encryption_configuration[0].kms_key == var.kms_key_arn
    error_message = "Images must be encrypted with the stack's key."
  }

  assert {
    condition     = one([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.countNumber if r.selection.tagStatus == "untagged"]) == 7
    error_message = "The lifecycle policy must expire untagged images."
  }

  # A model names its image by tag: a rule on "any" tag, or on tagged images without a prefix
  # list, would expire the live image once enough newer ones were pushed.
  assert {
    condition = alltrue([
      for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules :
      r.selection.tagStatus == "untagged" || (r.selection.tagStatus == "tagged" && length(try(r.selection.tagPrefixList, [])) > 0)
    ])
    error_message = "Only untagged and scratch-tagged images may expire; release tags are kept."
  }

  assert {
    condition     = one([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagPrefixList if r.selection.tagStatus == "tagged"]) == ["scratch-", "ci-"]
    error_message = "Scratch tags (scratch-*, ci-*) expire beyond a count."
  }
}

run "no_scratch_prefixes_expires_untagged_only" {
  command = apply

  variables {
    scratch_tag_prefixes = []
  }

  assert {
    condition     = [for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.tagStatus] == ["untagged"]
    error_message = "Without scratch prefixes only untagged images expire."
  }
}

run "rejects_an_invalid_name" {
  command = plan

  variables {
    name = "Location_Detector"
  }

  expect_failures = [var.name]
}
