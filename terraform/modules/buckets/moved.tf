# The two lifecycle configurations became the entries of one per bucket (main.tf): a state from
# before moves instead of replacing them.
moved {
  from = aws_s3_bucket_lifecycle_configuration.blueprints
  to   = aws_s3_bucket_lifecycle_configuration.this["blueprints"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.results
  to   = aws_s3_bucket_lifecycle_configuration.this["results"]
}
