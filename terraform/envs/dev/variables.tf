variable "aws_region" {
  description = "Region of the stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "environment" {
  description = "Environment name used in every resource name."
  type        = string
}

variable "bucket_suffix" {
  description = "Optional suffix that makes the bucket names globally unique (e.g. the account id)."
  type        = string
  default     = ""
}

variable "functions_build_dir" {
  description = "Directory holding trigger.zip, success.zip and failure.zip from `make functions`, absolute or relative to this root."
  type        = string
  default     = "../../../build/functions"
}

variable "image_tag" {
  description = "Tag of the detector image in the ECR repository (immutable: one tag per release)."
  type        = string
}

variable "instance_type" {
  description = "SageMaker instance type of the endpoint."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "max_instance_count" {
  description = "Upper bound of the endpoint's autoscaling."
  type        = number
  default     = 2
}

variable "retry_budget_seconds" {
  description = "How long a plan's transient failures are retried (full-jitter backoff) before it is FAILED and parked in the uploads DLQ for `make redrive`."
  type        = number
  default     = 7200
}

variable "max_receive_count" {
  description = "Receives of one SQS message before it is dead-lettered."
  type        = number
  default     = 5
}

variable "log_retention_days" {
  description = "Retention of the Lambda log groups."
  type        = number
  default     = 365
}

variable "alert_email" {
  description = "Optional e-mail address subscribed to the alerts topic."
  type        = string
  default     = null
}
