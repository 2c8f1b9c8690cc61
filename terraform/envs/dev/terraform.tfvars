# dev: small and cheap; the endpoint scales to zero when idle.
aws_region           = "eu-west-1"
environment          = "dev"
image_tag            = "0.1.0"
instance_type        = "ml.m5.xlarge"
max_instance_count   = 1
retry_budget_seconds = 7200 # 2 h: outlasts a 30-minute outage
max_receive_count    = 5
log_retention_days   = 30
# alert_email      = "oncall@example.com"
# bucket_suffix    = "<account id or another unique word>"
