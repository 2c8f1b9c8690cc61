variable "success_topic_name" {
  description = "Name of the SNS topic the async endpoint notifies on success."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.success_topic_name))
    error_message = "success_topic_name must be a valid SNS topic name."
  }
}

variable "error_topic_name" {
  description = "Name of the SNS topic the async endpoint notifies on error."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.error_topic_name))
    error_message = "error_topic_name must be a valid SNS topic name."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts both topics."
  type        = string
}

variable "success_queue" {
  description = "SQS queue subscribed to the success topic (the success Lambda's source)."
  type = object({
    arn = string
    url = string
  })
}

variable "failure_queue" {
  description = "SQS queue subscribed to the error topic (the failure Lambda's source)."
  type = object({
    arn = string
    url = string
  })
}

variable "tags" {
  description = "Tags for the topics."
  type        = map(string)
  default     = {}
}

variable "publisher_role_arn" {
  description = "ARN of the only principal allowed to publish to both topics: the endpoint's SageMaker execution role."
  type        = string
}
