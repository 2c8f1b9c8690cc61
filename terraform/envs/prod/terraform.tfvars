# prod: room to scale out, a year of logs.
aws_region         = "eu-west-1"
environment        = "prod"
instance_type      = "ml.m5.xlarge"
max_instance_count = 4
max_attempts       = 5
max_receive_count  = 5
log_retention_days = 365
