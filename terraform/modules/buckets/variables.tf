variable "blueprints_bucket_name" {
  description = "Name of the input bucket: users upload plans under the blueprints prefix."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.blueprints_bucket_name))
    error_message = "blueprints_bucket_name must be a valid S3 bucket name."
  }
}

variable "results_bucket_name" {
  description = "Name of the results bucket: async endpoint output, failures and final documents."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.results_bucket_name))
    error_message = "results_bucket_name must be a valid S3 bucket name."
  }
}

variable "prefixes" {
  description = "Key prefixes (from the naming module, their one definition): blueprints (uploads), inputs (the trigger's pinned copies of uploaded versions), output (async endpoint .out files), failures (async endpoint errors), results (final documents). Each ends with a slash."
  type = object({
    blueprints = string
    inputs     = string
    output     = string
    failures   = string
    results    = string
  })

  validation {
    condition     = alltrue([for p in values(var.prefixes) : endswith(p, "/") && !startswith(p, "/")])
    error_message = "Every prefix must end with a slash and must not start with one."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS default encryption of both buckets."
  type        = string
}

variable "upload_queue_arn" {
  description = "ARN of the SQS queue that receives s3:ObjectCreated:* events under the blueprints prefix."
  type        = string
}

variable "upload_queue_url" {
  description = "URL of that same queue (its access policy is attached here, allowing only this bucket)."
  type        = string
}

variable "noncurrent_version_expiration_days" {
  description = "Days a replaced or deleted object version is kept before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "intermediate_expiration_days" {
  description = "Days the async endpoint's raw output and failure files and the pinned inputs are kept (final documents under the results prefix and the uploads are kept)."
  type        = number
  default     = 30

  validation {
    condition     = var.intermediate_expiration_days >= 1
    error_message = "intermediate_expiration_days must be at least 1."
  }
}

variable "blueprint_expiration_days" {
  description = "Days uploaded plans are kept; 0 keeps them for ever."
  type        = number
  default     = 0

  validation {
    condition     = var.blueprint_expiration_days >= 0
    error_message = "blueprint_expiration_days must be 0 (never) or positive."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy the buckets while they still hold objects (throw-away environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the buckets."
  type        = map(string)
  default     = {}
}
