variable "alias" {
  description = "KMS alias of the stack's customer managed key (must start with alias/)."
  type        = string

  validation {
    condition     = startswith(var.alias, "alias/") && !startswith(var.alias, "alias/aws/")
    error_message = "alias must start with alias/ and must not use the reserved alias/aws/ prefix."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted after a destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
