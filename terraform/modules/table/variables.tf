variable "name" {
  description = "Name of the plan status and Powertools idempotency table."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.name))
    error_message = "name must be a valid DynamoDB table name."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the table."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the table (turn off for throw-away environments)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}

variable "status_index_name" {
  description = "Name of the index on status + deadline_at (non-final plans by deadline; the reconciler Queries it)."
  type        = string
  default     = "status-deadline"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.status_index_name))
    error_message = "status_index_name must be a valid DynamoDB index name."
  }
}

variable "source_index_name" {
  description = "Name of the index on source_uri + uploaded_at (every upload of one S3 key)."
  type        = string
  default     = "source-uploaded"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.source_index_name))
    error_message = "source_index_name must be a valid DynamoDB index name."
  }
}
