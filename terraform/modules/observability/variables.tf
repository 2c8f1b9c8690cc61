variable "alerts_topic_name" {
  description = "Name of the SNS topic the alarms notify."
  type        = string
}

variable "alert_email" {
  description = "Optional e-mail address subscribed to the alerts topic (null: no subscription)."
  type        = string
  default     = null

  validation {
    condition     = var.alert_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be null or an e-mail address."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the alerts topic (its key policy lets CloudWatch use it)."
  type        = string
}

variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  type        = string
}

variable "alarm_prefix" {
  description = "Prefix of every alarm name."
  type        = string
}

variable "endpoint_name" {
  description = "Name of the async endpoint."
  type        = string
}

variable "variant_name" {
  description = "Production variant of the endpoint (for the per-variant metrics)."
  type        = string
  default     = "AllTraffic"
}

variable "function_names" {
  description = "Lambda function names, by role (trigger, success, failure)."
  type        = map(string)
}

variable "queue_names" {
  description = "Source queue names, by purpose (uploads, success, failure)."
  type        = map(string)
}

variable "dlq_names" {
  description = "Dead-letter queue names, by source queue."
  type        = map(string)
}

variable "metrics_namespace" {
  description = "Namespace of the functions' Powertools metrics."
  type        = string
  default     = "LocationDetector"
}

variable "backlog_age_threshold_seconds" {
  description = "Alarm when the oldest queued async request is older than this."
  type        = number
  default     = 1800

  validation {
    condition     = var.backlog_age_threshold_seconds >= 60
    error_message = "backlog_age_threshold_seconds must be at least 60."
  }
}

variable "tags" {
  description = "Tags for the topic and the alarms."
  type        = map(string)
  default     = {}
}
