resource "aws_ecr_repository" "this" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }

  tags = var.tags
}

# Release tags are never expired: a model (the live one, or a previous release kept for a
# rollback) names its image by tag, and a scale-from-zero pulls it again. Only untagged images
# (superseded layers, failed pushes) and scratch tags (CI and trial builds) expire.
resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = concat([
      {
        rulePriority = 1
        description  = "Expire untagged images"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_image_expiry_days
        }
        action = { type = "expire" }
      }],
      length(var.scratch_tag_prefixes) == 0 ? [] : [{
        rulePriority = 2
        description  = "Keep the most recent scratch images (${join(", ", var.scratch_tag_prefixes)}*)"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = var.scratch_tag_prefixes
          countType     = "imageCountMoreThan"
          countNumber   = var.keep_scratch_images
        }
        action = { type = "expire" }
      }],
    )
  })
}
