mock_provider "aws" {}

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
    condition = (
      length(jsondecode(aws_ecr_lifecycle_policy.this.policy).rules) == 2 &&
      one([for r in jsondecode(aws_ecr_lifecycle_policy.this.policy).rules : r.selection.countNumber if r.selection.tagStatus == "untagged"]) == 7
    )
    error_message = "The lifecycle policy must expire untagged images and keep a bounded number of tagged ones."
  }
}

run "rejects_an_invalid_name" {
  command = plan

  variables {
    name = "Location_Detector"
  }

  expect_failures = [var.name]
}
