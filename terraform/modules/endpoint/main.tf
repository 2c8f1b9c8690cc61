data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  model_bucket   = regex("^s3://([^/]+)/(.+)$", var.model_data_url)[0]
  model_key      = regex("^s3://([^/]+)/(.+)$", var.model_data_url)[1]
  model_artifact = "arn:${local.partition}:s3:::${local.model_bucket}/${local.model_key}"

  results_bucket = element(split(":::", var.results_bucket_arn), 1)
  output_path    = "s3://${local.results_bucket}/${var.prefixes.output}"
  failure_path   = "s3://${local.results_bucket}/${var.prefixes.failures}"

  # Every argument of a model is ForceNew and names are unique per account and region, so a
  # release (new image or artifact) needs a new name: derived from what the model holds, the
  # same inputs give the same name (no churn) and a rollback to a previous release recreates
  # its name.
  container_environment = merge(
    # One thread more than the requests SageMaker sends at once, so /ping always finds a
    # free thread while detections run (model/README.md, "Serving").
    { MODEL_SERVER_THREADS = tostring(var.max_concurrent_invocations_per_instance + 1) },
    var.container_environment,
  )
  model_digest = substr(sha256(jsonencode({
    image       = var.image_uri
    model_data  = var.model_data_url
    environment = local.container_environment
    isolation   = var.enable_network_isolation
    role        = var.role_name
  })), 0, 16)
  model_name = "${var.model_name_prefix}${local.model_digest}"

  variant_name   = "AllTraffic"
  resource_id    = "endpoint/${aws_sagemaker_endpoint.this.name}/variant/${local.variant_name}"
  log_group_name = "/aws/sagemaker/Endpoints/${var.endpoint_name}"
  log_group      = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
}

# ---------------------------------------------------------------- execution role
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "permissions" {
  statement {
    sid       = "ReadInputsAndModel"
    actions   = ["s3:GetObject"]
    resources = ["${var.blueprints_bucket_arn}/${var.prefixes.blueprints}*", "${var.blueprints_bucket_arn}/${var.prefixes.inputs}*", local.model_artifact]
  }

  statement {
    sid     = "WriteOutputsAndFailures"
    actions = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [
      "${var.results_bucket_arn}/${var.prefixes.output}*",
      "${var.results_bucket_arn}/${var.prefixes.failures}*",
    ]
  }

  statement {
    sid       = "NotifyTopics"
    actions   = ["sns:Publish"]
    resources = [var.success_topic_arn, var.error_topic_arn]
  }

  statement {
    sid       = "UseStackKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }

  # SageMaker grants the key to the instances' volumes; no grant for anything else.
  statement {
    sid       = "GrantKeyToSageMakerResources"
    actions   = ["kms:CreateGrant"]
    resources = [var.kms_key_arn]
    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.ecr_repository_arn]
  }

  # GetAuthorizationToken has no resource-level permissions.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EndpointLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [local.log_group, "${local.log_group}:*"]
  }

  # PutMetricData has no resource-level permissions; the namespace condition narrows it.
  statement {
    sid       = "EndpointMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/Endpoints"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "async-inference"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.permissions.json
}

# ---------------------------------------------------------------- model and endpoint
resource "aws_sagemaker_model" "this" {
  name                     = local.model_name
  execution_role_arn       = aws_iam_role.this.arn
  enable_network_isolation = var.enable_network_isolation

  primary_container {
    image          = var.image_uri
    model_data_url = var.model_data_url
    environment    = local.container_environment
  }

  tags = var.tags

  # SageMaker checks the role can pull the image when the model is created.
  depends_on = [aws_iam_role_policy.this]

  # The endpoint keeps serving the old model until it has switched to a configuration that
  # names the new one; only then is the old model deleted.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  name_prefix = var.endpoint_config_name_prefix
  kms_key_arn = var.kms_key_arn

  production_variants {
    variant_name           = local.variant_name
    model_name             = aws_sagemaker_model.this.name
    instance_type          = var.instance_type
    initial_instance_count = var.initial_instance_count
  }

  async_inference_config {
    client_config {
      max_concurrent_invocations_per_instance = var.max_concurrent_invocations_per_instance
    }
    output_config {
      s3_output_path  = local.output_path
      s3_failure_path = local.failure_path
      kms_key_id      = var.kms_key_arn
      notification_config {
        success_topic = var.success_topic_arn
        error_topic   = var.error_topic_arn
      }
    }
  }

  tags = var.tags

  # Endpoint configurations are immutable: make the new one before swapping the endpoint.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
  tags                 = var.tags

  # SageMaker would create the group on first write: unencrypted and kept for ever.
  depends_on = [aws_cloudwatch_log_group.endpoint]
}

resource "aws_cloudwatch_log_group" "endpoint" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# ---------------------------------------------------------------- autoscaling
# SageMaker refuses an UpdateEndpoint that changes the instance type of a variant registered
# with Application Auto Scaling ("Update endpoints that use auto scaling"). Changing the type
# replaces the target: Terraform deregisters it (and its policies) before the endpoint is
# updated, and registers it again afterwards.
resource "terraform_data" "instance_type" {
  input = var.instance_type
}

# min_capacity = 0: the endpoint costs nothing while the backlog is empty.
resource "aws_appautoscaling_target" "this" {
  service_namespace  = "sagemaker"
  resource_id        = local.resource_id
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 0
  max_capacity       = var.max_instance_count
  tags               = var.tags

  lifecycle {
    replace_triggered_by = [terraform_data.instance_type]
  }
}

# Keeps the backlog per instance near the target while there is at least one instance.
resource "aws_appautoscaling_policy" "backlog" {
  name               = "${var.endpoint_name}-backlog-per-instance"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  # Deregistering a target deletes its policies.
  lifecycle {
    replace_triggered_by = [aws_appautoscaling_target.this]
  }

  target_tracking_scaling_policy_configuration {
    target_value       = var.target_backlog_per_instance
    scale_in_cooldown  = var.scale_in_cooldown_seconds
    scale_out_cooldown = var.scale_out_cooldown_seconds

    customized_metric_specification {
      metric_name = "ApproximateBacklogSizePerInstance"
      namespace   = "AWS/SageMaker"
      statistic   = "Average"
      dimensions {
        name  = "EndpointName"
        value = aws_sagemaker_endpoint.this.name
      }
    }
  }
}

# At zero instances the per-instance backlog is undefined, so target tracking alone would
# wait for the backlog to exceed the target. HasBacklogWithoutCapacity is 1 exactly when
# requests wait with no instance: its alarm drives this step policy, which adds one.
resource "aws_appautoscaling_policy" "scale_from_zero" {
  name               = "${var.endpoint_name}-scale-from-zero"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  lifecycle {
    replace_triggered_by = [aws_appautoscaling_target.this]
  }

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.scale_out_cooldown_seconds
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "has_backlog_without_capacity" {
  alarm_name          = "${var.endpoint_name}-has-backlog-without-capacity"
  alarm_description   = "Requests wait while the endpoint has no instance: scale up from zero."
  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  dimensions          = { EndpointName = aws_sagemaker_endpoint.this.name }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = var.scale_from_zero_evaluation_periods
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"
  alarm_actions       = [aws_appautoscaling_policy.scale_from_zero.arn]
  tags                = var.tags
}
