# prod: room to scale out, a year of logs.
aws_region                              = "eu-west-1"
allowed_account_ids                     = ["222222222222"] # REPLACE with the prod account's id
environment                             = "prod"
default_tags                            = { Owner = "location-detector-team" }
image_tag                               = "0.1.0"
instance_type                           = "ml.m5.xlarge"
max_instance_count                      = 4
max_concurrent_invocations_per_instance = 2
target_backlog_per_instance             = 5
retry_budget_seconds                    = 21600 # 6 h
max_receive_count                       = 5
max_concurrency                         = { trigger = 10, success = 5, failure = 2 }
log_retention_days                      = 365
kms_deletion_window_in_days             = 30
# reserved_concurrency = { trigger = 10, success = 5, failure = 2 } # once the account's quota allows
# alert_email          = "oncall@example.com"
