# The reconciler's role, policy and log group became the "reconciler" entries of the functions'
# (main.tf): a state from before moves instead of replacing them (and the logs with them).
moved {
  from = aws_iam_role.reconciler
  to   = aws_iam_role.this["reconciler"]
}

moved {
  from = aws_iam_role_policy.reconciler
  to   = aws_iam_role_policy.this["reconciler"]
}

moved {
  from = aws_cloudwatch_log_group.reconciler
  to   = aws_cloudwatch_log_group.this["reconciler"]
}
