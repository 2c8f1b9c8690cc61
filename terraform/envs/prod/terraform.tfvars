# prod: room to scale out, a year of logs.
aws_region           = "eu-west-1"
environment          = "prod"
image_tag            = "0.1.0"
instance_type        = "ml.m5.xlarge"
max_instance_count   = 4
retry_budget_seconds = 21600 # 6 h
max_receive_count    = 5
log_retention_days   = 365
# alert_email      = "oncall@example.com"
# bucket_suffix    = "<account id or another unique word>"
