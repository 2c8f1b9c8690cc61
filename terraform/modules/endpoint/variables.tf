variable "endpoint_name" {
  description = "Name of the SageMaker async endpoint (the trigger Lambda invokes it)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 alphanumerics or dashes, not starting or ending with a dash."
  }
}

variable "model_name_prefix" {
  description = "Name prefix of the SageMaker model; a digest of the image, artifact and environment follows, so each release gets its own model."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,45}-?$", var.model_name_prefix))
    error_message = "model_name_prefix must be at most 47 alphanumerics or dashes (a 16-character digest follows; SageMaker allows 63)."
  }
}

variable "log_retention_days" {
  description = "Retention of the endpoint's log group (/aws/sagemaker/Endpoints/<name>)."
  type        = number
  default     = 365
}

variable "endpoint_config_name_prefix" {
  description = "Name prefix of the endpoint configuration (a new one is created before the old one is destroyed on every change)."
  type        = string
}

variable "role_name" {
  description = "Name of the SageMaker execution role created here."
  type        = string
}

variable "image_uri" {
  description = "Full URI of the detector container image (repository URL and tag, or digest)."
  type        = string

  validation {
    condition     = can(regex("^[^\\s]+(:[^\\s/]+|@sha256:[0-9a-f]{64})$", var.image_uri))
    error_message = "image_uri must carry a tag (:tag) or a digest (@sha256:...)."
  }
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository the image is pulled from."
  type        = string
}

variable "model_data_url" {
  description = "S3 URI of the model artifact (model.tar.gz) that `make model-artifact` builds."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]+[a-z0-9]/.+\\.tar\\.gz$", var.model_data_url))
    error_message = "model_data_url must look like s3://bucket/key.tar.gz."
  }
}

variable "blueprints_bucket_arn" {
  description = "ARN of the blueprints bucket (the endpoint reads its inputs there)."
  type        = string
}

variable "results_bucket_arn" {
  description = "ARN of the results bucket (the endpoint writes output and failures there)."
  type        = string
}

variable "prefixes" {
  description = "Key prefixes (from the naming module, their one definition): blueprints and inputs (pinned copies of uploads; what the endpoint reads), output and failures (where it writes)."
  type = object({
    blueprints = string
    inputs     = string
    output     = string
    failures   = string
  })
}

variable "success_topic_arn" {
  description = "SNS topic notified when an async inference succeeds."
  type        = string
}

variable "error_topic_arn" {
  description = "SNS topic notified when an async inference fails."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the async output, the ML storage volume and the encrypted topics."
  type        = string
}

variable "instance_type" {
  description = "Instance type of the production variant."
  type        = string
  default     = "ml.m5.xlarge"

  validation {
    condition     = startswith(var.instance_type, "ml.")
    error_message = "instance_type must be a SageMaker instance type (ml.*)."
  }
}

variable "initial_instance_count" {
  description = "Instances the endpoint starts with (autoscaling may take it down to zero afterwards)."
  type        = number
  default     = 1

  validation {
    condition     = var.initial_instance_count >= 1
    error_message = "SageMaker needs at least one instance to create the endpoint."
  }
}

variable "max_instance_count" {
  description = "Upper bound of the autoscaling target."
  type        = number
  default     = 2

  validation {
    condition     = var.max_instance_count >= 1
    error_message = "max_instance_count must be at least 1."
  }
}

variable "max_concurrent_invocations_per_instance" {
  description = "Requests SageMaker sends to one instance at a time (the detector is CPU-bound: keep it near the core count)."
  type        = number
  default     = 2

  validation {
    condition     = var.max_concurrent_invocations_per_instance >= 1 && var.max_concurrent_invocations_per_instance <= 1000
    error_message = "max_concurrent_invocations_per_instance must be between 1 and 1000."
  }
}

variable "target_backlog_per_instance" {
  description = "Target value of ApproximateBacklogSizePerInstance for target tracking."
  type        = number
  default     = 5

  validation {
    condition     = var.target_backlog_per_instance > 0
    error_message = "target_backlog_per_instance must be positive."
  }
}

variable "scale_in_cooldown_seconds" {
  description = "Cooldown after a scale-in (long, so a quiet minute does not drop the last instance)."
  type        = number
  default     = 600
}

variable "scale_out_cooldown_seconds" {
  description = "Cooldown after a scale-out, and of the scale-from-zero step policy."
  type        = number
  default     = 300
}

variable "scale_from_zero_evaluation_periods" {
  description = "One-minute periods HasBacklogWithoutCapacity must be >= 1 before the step policy adds an instance."
  type        = number
  default     = 1

  validation {
    condition     = var.scale_from_zero_evaluation_periods >= 1
    error_message = "scale_from_zero_evaluation_periods must be at least 1."
  }
}

variable "enable_network_isolation" {
  description = "Run the container without network access (it needs none: SageMaker moves the data)."
  type        = bool
  default     = true
}

variable "container_environment" {
  description = "Extra environment variables of the container (they override the module's MODEL_SERVER_THREADS)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for the role, model, endpoint configuration, endpoint and alarm."
  type        = map(string)
  default     = {}
}
