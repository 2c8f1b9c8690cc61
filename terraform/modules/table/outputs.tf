output "name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "status_index_name" {
  description = "Index on status + deadline_at: non-final plans by when the reconciler looks at them."
  value       = var.status_index_name
}

output "source_index_name" {
  description = "Index on source_uri (s3://bucket/key) + uploaded_at: a plan by the S3 key it was uploaded as."
  value       = var.source_index_name
}
