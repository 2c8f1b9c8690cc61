output "repository_arn" {
  description = "ARN of the repository (the SageMaker role pulls from it)."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "URL of the repository, without a tag (push the detector image here)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}
