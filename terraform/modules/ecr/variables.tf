variable "name" {
  description = "ECR repository name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name))
    error_message = "name must be a valid ECR repository name (lowercase, digits, . _ - /)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the images."
  type        = string
}

variable "scratch_tag_prefixes" {
  description = "Tag prefixes of throw-away images (CI, trials) that the lifecycle policy may expire. Never use one for a release tag: every other tag is kept for ever."
  type        = list(string)
  default     = ["scratch-", "ci-"]

  validation {
    condition     = alltrue([for p in var.scratch_tag_prefixes : can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$", p))])
    error_message = "Each scratch tag prefix must be the start of a valid tag."
  }
}

variable "keep_scratch_images" {
  description = "How many scratch-tagged images the lifecycle policy keeps (older ones expire)."
  type        = number
  default     = 10

  validation {
    condition     = var.keep_scratch_images >= 1
    error_message = "keep_scratch_images must be at least 1."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after which untagged images (failed pushes, layers of old builds) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1
    error_message = "untagged_image_expiry_days must be at least 1."
  }
}

variable "force_delete" {
  description = "Delete the repository even if it holds images (for throw-away environments)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the repository."
  type        = map(string)
  default     = {}
}
