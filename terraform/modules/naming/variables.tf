variable "environment" {
  description = "Environment name (dev, prod, local, ...): the <env> in every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "bucket_suffix" {
  description = "Optional suffix appended to the bucket names (after a dash) to make them globally unique, e.g. the account id or a random word. Empty keeps the seed README's names."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_suffix == "" || can(regex("^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$", var.bucket_suffix))
    error_message = "bucket_suffix must be empty or 2-22 lowercase letters, digits or dashes, not starting or ending with a dash."
  }
}

variable "tags" {
  description = "Extra tags merged into the common tag map."
  type        = map(string)
  default     = {}
}
