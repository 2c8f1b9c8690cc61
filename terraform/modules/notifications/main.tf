data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  # Topic ARNs built from the names (as SNS does), so the policies are known at plan time.
  topic_arn_prefix = "arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  topics = {
    success = var.success_topic_name
    error   = var.error_topic_name
  }
  # Which queue listens to which topic.
  queues = {
    success = var.success_queue
    error   = var.failure_queue
  }
}

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = each.value
  kms_master_key_id = var.kms_key_arn
  tags              = merge(var.tags, { Purpose = "async-inference-${each.key}" })
}

# raw_message_delivery = false: the SQS body is the SNS envelope, which the
# Lambdas unwrap with Powertools' SnsSqsEnvelope.
resource "aws_sns_topic_subscription" "this" {
  for_each = local.topics

  topic_arn            = aws_sns_topic.this[each.key].arn
  protocol             = "sqs"
  endpoint             = local.queues[each.key].arn
  raw_message_delivery = false

  depends_on = [aws_sqs_queue_policy.this]
}

# Each queue accepts messages from its own topic only.
data "aws_iam_policy_document" "queue" {
  for_each = local.topics

  statement {
    sid       = "AllowTopic"
    actions   = ["sqs:SendMessage"]
    resources = [local.queues[each.key].arn]
    principals {
      type        = "Service"
      identifiers = ["sns.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_sns_topic.this[each.key].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  for_each = local.topics

  queue_url = local.queues[each.key].url
  policy    = data.aws_iam_policy_document.queue[each.key].json
}

# Only the endpoint's execution role publishes inference results (SageMaker publishes as that
# role). The default topic policy would let any principal of the account publish.
data "aws_iam_policy_document" "topic" {
  for_each = local.topics

  statement {
    sid       = "PublishFromEndpoint"
    actions   = ["sns:Publish"]
    resources = ["${local.topic_arn_prefix}:${each.value}"]
    principals {
      type        = "AWS"
      identifiers = [var.publisher_role_arn]
    }
  }

  # An IAM policy elsewhere in the account cannot grant Publish either.
  statement {
    sid       = "NoOtherPublisher"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = ["${local.topic_arn_prefix}:${each.value}"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = [var.publisher_role_arn]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  for_each = local.topics

  arn    = aws_sns_topic.this[each.key].arn
  policy = data.aws_iam_policy_document.topic[each.key].json
}
