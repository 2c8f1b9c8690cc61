variable "function_names" {
  description = "Names of the three Lambda functions."
  type = object({
    trigger = string
    success = string
    failure = string
  })
}

variable "role_names" {
  description = "Names of the three execution roles (one per function)."
  type = object({
    trigger = string
    success = string
    failure = string
  })
}

variable "queue_names" {
  description = "Names of the source queues: uploads (S3 events and retries -> trigger), success (success topic -> success), failure (error topic -> failure)."
  type = object({
    uploads = string
    success = string
    failure = string
  })
}

variable "dlq_names" {
  description = "Names of the dead-letter queues of the three source queues."
  type = object({
    uploads = string
    success = string
    failure = string
  })
}

variable "packages" {
  description = "Paths of the deployment zips that `make functions` builds (build/functions/<name>.zip)."
  type = object({
    trigger = string
    success = string
    failure = string
  })

  validation {
    condition     = alltrue([for p in values(var.packages) : endswith(p, ".zip")])
    error_message = "Every package must be a .zip file."
  }
}

variable "table_name" {
  description = "Name of the status and idempotency table."
  type        = string
}

variable "table_arn" {
  description = "ARN of the status and idempotency table."
  type        = string
}

variable "blueprints_bucket_arn" {
  description = "ARN of the blueprints bucket (the trigger checks uploads there)."
  type        = string
}

variable "results_bucket_name" {
  description = "Name of the results bucket."
  type        = string
}

variable "results_bucket_arn" {
  description = "ARN of the results bucket."
  type        = string
}

variable "prefixes" {
  description = "Key prefixes (from the naming module, their one definition): blueprints (uploads), inputs (pinned copies of uploaded versions, blueprints bucket), output (async .out files), failures (async failures), results (final documents)."
  type = object({
    blueprints = string
    inputs     = string
    output     = string
    failures   = string
    results    = string
  })
}

variable "endpoint_name" {
  description = "Name of the async endpoint the trigger invokes."
  type        = string
}

variable "endpoint_arn" {
  description = "ARN of that endpoint (the only resource of the trigger's InvokeEndpointAsync)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the stack (buckets, table, log groups, Lambda environments)."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime of the three functions."
  type        = string
  default     = "python3.11"

  validation {
    condition     = startswith(var.runtime, "python3.")
    error_message = "runtime must be a python3.x runtime."
  }
}

variable "architecture" {
  description = "Instruction set of the functions; must match the wheels `make functions` vendors (LAMBDA_ARCH)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory (MB) of each function, by name."
  type = object({
    trigger = number
    success = number
    failure = number
  })
  default = { trigger = 256, success = 512, failure = 256 }

  validation {
    condition     = alltrue([for m in values(var.memory_size) : m >= 128 && m <= 10240])
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout_seconds" {
  description = "Timeout of each function; its source queue's visibility timeout is six times this."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout_seconds >= 3 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be between 3 and 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of each function; null (the default) reserves none. A new account's concurrency quota can be 10, and AWS keeps 10 unreserved, so any reservation fails there: raise the quota first."
  type = object({
    trigger    = optional(number)
    success    = optional(number)
    failure    = optional(number)
    reconciler = optional(number)
  })
  default = {}

  validation {
    condition     = alltrue([for k, c in var.reserved_concurrency : c == null ? true : c >= (k == "reconciler" ? 1 : 2)])
    error_message = "A reserved concurrency must be null, or at least 2 for a queue's function (an SQS event source's minimum maximum concurrency), 1 for the reconciler."
  }
}

variable "max_concurrency" {
  description = "Most concurrent invocations each SQS event source starts (caps the load on the endpoint and the table without reserving account concurrency)."
  type = object({
    trigger = number
    success = number
    failure = number
  })
  default = { trigger = 10, success = 5, failure = 2 }

  validation {
    condition     = alltrue([for c in values(var.max_concurrency) : c >= 2 && c <= 1000])
    error_message = "Each maximum concurrency must be between 2 and 1000 (SQS event source limits)."
  }
}

variable "event_sources_enabled" {
  description = "Whether the event source mappings poll the queues. Off only where nothing can run the functions (the local emulator has no Docker: its mappings would receive every message, fail to invoke and push it towards the DLQ)."
  type        = bool
  default     = true
}

variable "batch_size" {
  description = "Messages per Lambda invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be between 1 and 10000."
  }
}

variable "batching_window_seconds" {
  description = "Maximum time the event source gathers a batch."
  type        = number
  default     = 1

  validation {
    condition     = var.batching_window_seconds >= 0 && var.batching_window_seconds <= 300
    error_message = "batching_window_seconds must be between 0 and 300."
  }
}

variable "max_receive_count" {
  description = "Receives of one message before SQS parks it in the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "message_retention_seconds" {
  description = "Retention of the source queues."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}

variable "dlq_retention_seconds" {
  description = "Retention of the dead-letter queues (14 days, the maximum, leaves time to inspect them)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_retention_seconds >= 60 && var.dlq_retention_seconds <= 1209600
    error_message = "dlq_retention_seconds must be between 60 and 1209600."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the functions."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "service_name" {
  description = "Prefix of POWERTOOLS_SERVICE_NAME (each function appends -trigger, -success, -failure)."
  type        = string
  default     = "location-detector"
}

variable "metrics_namespace" {
  description = "POWERTOOLS_METRICS_NAMESPACE of the functions."
  type        = string
  default     = "LocationDetector"
}

variable "max_object_bytes" {
  description = "MAX_OBJECT_BYTES: the trigger rejects larger uploads with a failure record."
  type        = number
  default     = 52428800

  validation {
    condition     = var.max_object_bytes > 0 && var.max_object_bytes <= 1073741824
    error_message = "max_object_bytes must be positive and at most 1 GiB (the async inference payload limit)."
  }
}

variable "request_ttl_seconds" {
  description = "REQUEST_TTL_SECONDS: how long an async request may wait in the endpoint's queue."
  type        = number
  default     = 21600

  validation {
    condition     = var.request_ttl_seconds >= 60 && var.request_ttl_seconds <= 21600
    error_message = "request_ttl_seconds must be between 60 and 21600 (SageMaker's limits)."
  }
}

variable "invocation_timeout_seconds" {
  description = "INVOCATION_TIMEOUT_SECONDS: how long the container may work on one plan."
  type        = number
  default     = 900

  validation {
    condition     = var.invocation_timeout_seconds >= 1 && var.invocation_timeout_seconds <= 3600
    error_message = "invocation_timeout_seconds must be between 1 and 3600 (SageMaker's limits)."
  }
}

variable "retry_budget_seconds" {
  description = "RETRY_BUDGET_SECONDS: how long a plan's transient failures are retried (full-jitter backoff) before it is FAILED and parked in the uploads DLQ. The default outlasts a 30-minute outage with room to spare."
  type        = number
  default     = 7200

  validation {
    condition     = var.retry_budget_seconds >= 0 && var.retry_budget_seconds <= 1209600
    error_message = "retry_budget_seconds must be between 0 and 1209600 (14 days, SQS's longest retention)."
  }
}

variable "retry_base_delay_seconds" {
  description = "RETRY_BASE_DELAY_SECONDS: backoff base; retry n waits a random time in [0, min(max, base * 2^(n-1))]."
  type        = number
  default     = 10

  validation {
    condition     = var.retry_base_delay_seconds >= 0 && var.retry_base_delay_seconds <= 900
    error_message = "retry_base_delay_seconds must be between 0 and 900."
  }
}

variable "retry_max_delay_seconds" {
  description = "RETRY_MAX_DELAY_SECONDS: longest backoff delay (SQS's DelaySeconds stops at 900)."
  type        = number
  default     = 900

  validation {
    condition     = var.retry_max_delay_seconds >= 0 && var.retry_max_delay_seconds <= 900
    error_message = "retry_max_delay_seconds must be between 0 and 900."
  }
}

variable "reconcile_margin_seconds" {
  description = "RECONCILE_MARGIN_SECONDS: a plan without a notification by its invocation timeout plus this margin is the reconciler's."
  type        = number
  default     = 300

  validation {
    condition     = var.reconcile_margin_seconds >= 0 && var.reconcile_margin_seconds <= 86400
    error_message = "reconcile_margin_seconds must be between 0 and 86400."
  }
}

variable "reconcile_schedule" {
  description = "EventBridge schedule expression of the reconciler."
  type        = string
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$", var.reconcile_schedule))
    error_message = "reconcile_schedule must be an EventBridge rate(...) or cron(...) expression."
  }
}

variable "reconcile_max_plans" {
  description = "RECONCILE_MAX_PLANS: overdue plans one reconciler run handles at most (the rest wait for the next run)."
  type        = number
  default     = 200

  validation {
    condition     = var.reconcile_max_plans >= 1 && var.reconcile_max_plans <= 10000
    error_message = "reconcile_max_plans must be between 1 and 10000."
  }
}

variable "status_index_name" {
  description = "The table's index on status + deadline_at (the table module's status_index_name output)."
  type        = string
}

variable "reconciler" {
  description = "The reconciler: its function, role and schedule names and its zip (build/functions/reconciler.zip)."
  type = object({
    function_name = string
    role_name     = string
    schedule_name = string
    package       = string
  })

  validation {
    condition     = endswith(var.reconciler.package, ".zip")
    error_message = "The reconciler's package must be a .zip file."
  }
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}
