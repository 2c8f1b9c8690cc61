# dev: small and cheap; the endpoint scales to zero when idle.
aws_region           = "eu-west-1"
allowed_account_ids  = ["111111111111"] # REPLACE with the dev account's id
environment          = "dev"
default_tags         = { Owner = "location-detector-team" }
image_tag            = "0.1.0"
instance_type        = "ml.m5.xlarge"
max_instance_count   = 1
retry_budget_seconds = 7200 # 2 h: outlasts a 30-minute outage
max_receive_count    = 5
log_retention_days   = 30
# reserved_concurrency = { trigger = 10, success = 5, failure = 2 } # once the account's quota allows
# alert_email          = "oncall@example.com"
