# Per-environment inputs, set in environments/<env>.tfvars. A tunable left null takes the
# stack's default (modules/stack/variables.tf holds the defaults and their validations).
variable "aws_region" {
  description = "Region of the stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "allowed_account_ids" {
  description = "The AWS account(s) this environment may be deployed to; the provider refuses any other credentials."
  type        = list(string)

  validation {
    condition     = length(var.allowed_account_ids) > 0 && alltrue([for id in var.allowed_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "Set allowed_account_ids in environments/<env>.tfvars: the 12-digit id(s) of the environment's account."
  }
}

variable "environment" {
  description = "Environment name used in every resource name (dev, prod, ...)."
  type        = string
}

variable "default_tags" {
  description = "Tags the provider adds to every resource of the environment (owner, cost centre, ...), beside the stack's Project/Environment/ManagedBy."
  type        = map(string)
  default     = {}
}

variable "bucket_suffix" {
  description = "Suffix of the bucket names; null uses the account id (globally unique by construction)."
  type        = string
  default     = null
}

variable "functions_build_dir" {
  description = "Directory holding the Lambda zips from `make functions`, absolute or relative to this root."
  type        = string
  default     = "../../../build/functions"
}

variable "image_tag" {
  description = "The release: tag of the detector image in the environment's ECR repository, and the key of its model artifact (models/location-detector/<tag>/model.tar.gz)."
  type        = string
}

variable "instance_type" {
  description = "SageMaker instance type of the endpoint."
  type        = string
  default     = null
}

variable "max_instance_count" {
  description = "Upper bound of the endpoint's autoscaling."
  type        = number
  default     = null
}

variable "max_concurrent_invocations_per_instance" {
  description = "Async requests SageMaker sends to one instance at a time."
  type        = number
  default     = null
}

variable "target_backlog_per_instance" {
  description = "Target of ApproximateBacklogSizePerInstance (autoscaling)."
  type        = number
  default     = null
}

variable "retry_budget_seconds" {
  description = "How long a plan's transient failures are retried (full-jitter backoff) before it is FAILED and parked in the uploads DLQ for `make redrive`."
  type        = number
  default     = null
}

variable "retry_base_delay_seconds" {
  description = "Backoff base of a re-queued plan (full jitter)."
  type        = number
  default     = null
}

variable "max_receive_count" {
  description = "Receives of one SQS message before it is dead-lettered."
  type        = number
  default     = null
}

variable "reserved_concurrency" {
  description = "Reserved concurrency per Lambda ({ trigger = 10, ... }); unset reserves none, which a new account (quota 10) needs."
  type = object({
    trigger    = optional(number)
    success    = optional(number)
    failure    = optional(number)
    reconciler = optional(number)
  })
  default = null
}

variable "max_concurrency" {
  description = "Most concurrent invocations each queue's event source starts, per Lambda."
  type = object({
    trigger = number
    success = number
    failure = number
  })
  default = null
}

variable "log_retention_days" {
  description = "Retention of the Lambda and endpoint log groups."
  type        = number
  default     = null
}

variable "log_level" {
  description = "LOG_LEVEL of the Lambdas."
  type        = string
  default     = null
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before the environment's KMS key is deleted (after a teardown)."
  type        = number
  default     = null
}

variable "alert_email" {
  description = "Optional e-mail address subscribed to the alerts topic."
  type        = string
  default     = null
}
