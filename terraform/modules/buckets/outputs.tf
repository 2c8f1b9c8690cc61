output "blueprints_bucket" {
  description = "Name of the blueprints (input) bucket."
  value       = aws_s3_bucket.this["blueprints"].id
}

output "blueprints_bucket_arn" {
  description = "ARN of the blueprints (input) bucket."
  value       = aws_s3_bucket.this["blueprints"].arn
}

output "results_bucket" {
  description = "Name of the results bucket."
  value       = aws_s3_bucket.this["results"].id
}

output "results_bucket_arn" {
  description = "ARN of the results bucket."
  value       = aws_s3_bucket.this["results"].arn
}

output "async_output_path" {
  description = "S3 URI where the async endpoint writes its .out files."
  value       = "s3://${aws_s3_bucket.this["results"].id}/${var.prefixes.output}"
}

output "async_failure_path" {
  description = "S3 URI where the async endpoint writes its failures."
  value       = "s3://${aws_s3_bucket.this["results"].id}/${var.prefixes.failures}"
}
