variable "environment" {
  description = "Environment name (dev, prod, local, ...): the <env> in every resource name."
  type        = string
}

variable "bucket_suffix" {
  description = "Suffix of the bucket names (globally unique); null (the default) uses the account id."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "function_packages" {
  description = "Paths of the Lambda zips built by `make functions`, by function (trigger, success, failure, reconciler)."
  type = object({
    trigger    = string
    success    = string
    failure    = string
    reconciler = string
  })
}

variable "image_tag" {
  description = "Tag of the detector image in the stack's ECR repository (tags are immutable: one per release, never a moving tag such as latest)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "image_uri" {
  description = "Full image URI; null uses <the stack's ECR repository>:<image_tag>."
  type        = string
  default     = null
}

variable "model_artifact_key" {
  description = "Key of model.tar.gz (from `make model-artifact`) in the results bucket; null uses models/location-detector/<image_tag>/model.tar.gz, one per release."
  type        = string
  default     = null

  validation {
    condition     = var.model_artifact_key == null || (endswith(coalesce(var.model_artifact_key, "x.tar.gz"), ".tar.gz") && !startswith(coalesce(var.model_artifact_key, "x"), "/"))
    error_message = "model_artifact_key must be a relative key ending in .tar.gz."
  }
}

variable "instance_type" {
  description = "SageMaker instance type of the endpoint."
  type        = string
  nullable    = false
  default     = "ml.m5.xlarge"
}

variable "max_instance_count" {
  description = "Upper bound of the endpoint's autoscaling."
  type        = number
  nullable    = false
  default     = 2
}

variable "max_concurrent_invocations_per_instance" {
  description = "Async requests SageMaker sends to one instance at a time."
  type        = number
  nullable    = false
  default     = 2
}

variable "target_backlog_per_instance" {
  description = "Target of ApproximateBacklogSizePerInstance for the target tracking policy."
  type        = number
  nullable    = false
  default     = 5
}

variable "retry_budget_seconds" {
  description = "How long a plan's transient failures are retried before it is FAILED and parked in the uploads DLQ (RETRY_BUDGET_SECONDS). The default outlasts a 30-minute outage."
  type        = number
  nullable    = false
  default     = 7200
}

variable "retry_base_delay_seconds" {
  description = "Backoff base of a re-queued plan (RETRY_BASE_DELAY_SECONDS; full jitter)."
  type        = number
  nullable    = false
  default     = 10
}

variable "retry_max_delay_seconds" {
  description = "Longest backoff delay (RETRY_MAX_DELAY_SECONDS, at most SQS's 900 s)."
  type        = number
  default     = 900
}

variable "reconcile_margin_seconds" {
  description = "Margin past the invocation timeout before the reconciler takes a plan over (RECONCILE_MARGIN_SECONDS)."
  type        = number
  default     = 300
}

variable "reconcile_schedule" {
  description = "EventBridge schedule expression of the reconciler."
  type        = string
  default     = "rate(5 minutes)"
}

variable "invocation_timeout_seconds" {
  description = "How long the container may work on one plan (INVOCATION_TIMEOUT_SECONDS)."
  type        = number
  default     = 900
}

variable "request_ttl_seconds" {
  description = "How long a request may wait in the endpoint's queue (REQUEST_TTL_SECONDS)."
  type        = number
  default     = 21600
}

variable "max_receive_count" {
  description = "Receives of one SQS message before it goes to the dead-letter queue."
  type        = number
  nullable    = false
  default     = 5
}

variable "log_retention_days" {
  description = "Retention of the Lambda and endpoint log groups."
  type        = number
  nullable    = false
  default     = 365
}

variable "log_level" {
  description = "LOG_LEVEL of the Lambdas."
  type        = string
  nullable    = false
  default     = "INFO"
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of each Lambda; unset reserves none (a new account's quota of 10 leaves nothing to reserve)."
  type = object({
    trigger    = optional(number)
    success    = optional(number)
    failure    = optional(number)
    reconciler = optional(number)
  })
  nullable = false
  default  = {}
}

variable "max_concurrency" {
  description = "Most concurrent invocations each queue's event source starts, per Lambda."
  type = object({
    trigger = number
    success = number
    failure = number
  })
  nullable = false
  default  = { trigger = 10, success = 5, failure = 2 }
}

variable "event_sources_enabled" {
  description = "Whether the Lambdas' event source mappings poll their queues (off only on the local emulator)."
  type        = bool
  default     = true
}

variable "alert_email" {
  description = "Optional e-mail address for the alerts topic."
  type        = string
  default     = null
}

variable "protect_data" {
  description = "Keep data on destroy: deletion protection on the table, no force-destroy of buckets and ECR. Turn off only for throw-away environments (local)."
  type        = bool
  default     = true
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before the stack's KMS key is deleted."
  type        = number
  nullable    = false
  default     = 30
}
