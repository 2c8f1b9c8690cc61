variable "emulator_endpoint" {
  description = "URL of the local emulator (localstack/emulator.py: moto server on loopback)."
  type        = string
  default     = "http://127.0.0.1:4566"

  validation {
    condition     = can(regex("^http://(127\\.[0-9.]+|localhost|\\[::1\\]):[0-9]+$", var.emulator_endpoint))
    error_message = "emulator_endpoint must be an http:// URL on loopback (127.x.x.x, localhost or [::1])."
  }
}

variable "aws_region" {
  description = "Region the emulator pretends to be."
  type        = string
  default     = "us-east-1"
}

variable "functions_build_dir" {
  description = "Directory holding trigger.zip, success.zip and failure.zip (`make functions`), absolute or relative to this root."
  type        = string
  default     = "../../../build/functions"
}

variable "image_tag" {
  description = "Tag of the detector image (the emulator does not pull it)."
  type        = string
  default     = "local"
}

variable "instance_type" {
  description = "SageMaker instance type of the endpoint (a record here: the release test changes it)."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "event_sources_enabled" {
  description = "Let the emulator's event source mappings consume the queues. moto runs Lambdas in Docker, which this machine lacks, so an enabled mapping receives each message, fails to invoke and moves it towards the DLQ; off, the queues keep their messages for a local driver that runs the handlers itself."
  type        = bool
  default     = false
}

variable "retry_budget_seconds" {
  description = "How long a plan's transient failures are retried (RETRY_BUDGET_SECONDS). 30 minutes: longer than a 200-plan burst waits in the endpoint's queue on a loaded 2-core machine (120 s failed plans of such a burst that were only queued), far longer than the fault tests' outages; dev and prod keep hours."
  type        = number
  default     = 1800

  validation {
    condition     = var.retry_budget_seconds >= 0 && var.retry_budget_seconds <= 1209600
    error_message = "retry_budget_seconds must be between 0 and 1209600."
  }
}

variable "retry_base_delay_seconds" {
  description = "Backoff base of a re-queued plan (RETRY_BASE_DELAY_SECONDS, full jitter). Short here so a local retry is seen in seconds; dev and prod keep the stack's 10 s."
  type        = number
  default     = 3

  validation {
    condition     = var.retry_base_delay_seconds >= 0 && var.retry_base_delay_seconds <= 900
    error_message = "retry_base_delay_seconds must be between 0 and 900."
  }
}
