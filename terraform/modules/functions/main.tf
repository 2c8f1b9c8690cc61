locals {
  # Which queue feeds which function.
  source_queue = {
    trigger = "uploads"
    success = "success"
    failure = "failure"
  }

  common_env = {
    TABLE_NAME                   = var.table_name
    RESULTS_BUCKET               = var.results_bucket_name
    POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    LOG_LEVEL                    = var.log_level
  }

  # Every function that retries a plan: one budget, one backoff, one place to park it.
  retry_env = {
    RETRY_QUEUE_URL          = aws_sqs_queue.source["uploads"].url
    DEAD_LETTER_QUEUE_URL    = aws_sqs_queue.dlq["uploads"].url
    RETRY_BUDGET_SECONDS     = tostring(var.retry_budget_seconds)
    RETRY_BASE_DELAY_SECONDS = tostring(var.retry_base_delay_seconds)
    RETRY_MAX_DELAY_SECONDS  = tostring(var.retry_max_delay_seconds)
    RECONCILE_MARGIN_SECONDS = tostring(var.reconcile_margin_seconds)
  }

  # The variables functions/README.md documents, per function.
  environment = {
    trigger = merge(local.retry_env, {
      ENDPOINT_NAME              = var.endpoint_name
      BLUEPRINTS_PREFIX          = var.prefixes.blueprints
      OUTPUT_PREFIX              = var.prefixes.output
      INPUTS_PREFIX              = var.prefixes.inputs
      RESULTS_PREFIX             = var.prefixes.results
      MAX_OBJECT_BYTES           = tostring(var.max_object_bytes)
      REQUEST_TTL_SECONDS        = tostring(var.request_ttl_seconds)
      INVOCATION_TIMEOUT_SECONDS = tostring(var.invocation_timeout_seconds)
    })
    success = {
      RESULTS_PREFIX = var.prefixes.results
    }
    failure = merge(local.retry_env, {
      RESULTS_PREFIX = var.prefixes.results
    })
  }

  reconciler_env = merge(local.common_env, local.retry_env, {
    RESULTS_PREFIX          = var.prefixes.results
    STATUS_INDEX_NAME       = var.status_index_name
    RECONCILE_MAX_PLANS     = tostring(var.reconcile_max_plans)
    POWERTOOLS_SERVICE_NAME = "${var.service_name}-reconciler"
  })

  results_objects = "${var.results_bucket_arn}/${var.prefixes.results}*"
  retry_queues    = [aws_sqs_queue.source["uploads"].arn, aws_sqs_queue.dlq["uploads"].arn]

  # Least privilege: what each function does beyond the common statements below.
  own_statements = {
    trigger = [
      # The uploaded version itself (HeadObject, the sniffed bytes, the copy's source).
      { sid = "ReadUploads", actions = ["s3:GetObject", "s3:GetObjectVersion"], resources = ["${var.blueprints_bucket_arn}/${var.prefixes.blueprints}*"] },
      # Without ListBucket S3 answers 403 for a deleted upload, which reads as transient. No
      # s3:prefix condition: S3's implicit check for a HeadObject names no prefix.
      { sid = "TellMissingUploads", actions = ["s3:ListBucket"], resources = [var.blueprints_bucket_arn] },
      # The immutable copy of each uploaded version that the endpoint reads.
      { sid = "PinInputs", actions = ["s3:PutObject"], resources = ["${var.blueprints_bucket_arn}/${var.prefixes.inputs}*"] },
      { sid = "WriteResults", actions = ["s3:PutObject"], resources = [local.results_objects] },
      { sid = "InvokeEndpoint", actions = ["sagemaker:InvokeEndpointAsync"], resources = [var.endpoint_arn] },
      { sid = "RetryOrPark", actions = ["sqs:SendMessage"], resources = local.retry_queues },
    ]
    success = [
      { sid = "ReadOutput", actions = ["s3:GetObject"], resources = ["${var.results_bucket_arn}/${var.prefixes.output}*"] },
      { sid = "WriteResults", actions = ["s3:PutObject"], resources = [local.results_objects] },
    ]
    failure = [
      { sid = "ReadFailures", actions = ["s3:GetObject"], resources = ["${var.results_bucket_arn}/${var.prefixes.failures}*"] },
      { sid = "WriteResults", actions = ["s3:PutObject"], resources = [local.results_objects] },
      { sid = "RetryOrPark", actions = ["sqs:SendMessage"], resources = local.retry_queues },
    ]
  }

  reconciler_statements = [
    # HeadObject of SageMaker's output and failure objects, then reading the one found.
    { sid = "ReadOutput", actions = ["s3:GetObject"], resources = ["${var.results_bucket_arn}/${var.prefixes.output}*", "${var.results_bucket_arn}/${var.prefixes.failures}*"] },
    { sid = "WriteResults", actions = ["s3:PutObject"], resources = [local.results_objects] },
    { sid = "RetryOrPark", actions = ["sqs:SendMessage"], resources = local.retry_queues },
    # Overdue plans come from the status index: a Query, never a Scan.
    { sid = "QueryStatusIndex", actions = ["dynamodb:Query"], resources = ["${var.table_arn}/index/${var.status_index_name}"] },
    { sid = "StatusItems", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = [var.table_arn] },
    { sid = "UseStackKey", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.kms_key_arn] },
    { sid = "OwnLogs", actions = ["logs:CreateLogStream", "logs:PutLogEvents"], resources = ["${aws_cloudwatch_log_group.this["reconciler"].arn}:*"] },
    { sid = "Tracing", actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources = ["*"] },
  ]

  # Every function's role, policy and log group, the reconciler's among them.
  all_function_names = merge(var.function_names, { reconciler = var.reconciler.function_name })
  role_names         = merge(var.role_names, { reconciler = var.reconciler.role_name })

  statements = merge({
    for fn, own in local.own_statements : fn => concat(own, [
      {
        sid       = "ConsumeOwnQueue"
        actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]
        resources = [aws_sqs_queue.source[local.source_queue[fn]].arn]
      },
      {
        sid       = "StatusAndIdempotency"
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        resources = [var.table_arn]
      },
      {
        sid       = "UseStackKey"
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = [var.kms_key_arn]
      },
      {
        sid       = "OwnLogs"
        actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        resources = ["${aws_cloudwatch_log_group.this[fn].arn}:*"]
      },
      # X-Ray's trace APIs have no resource-level permissions.
      {
        sid       = "Tracing"
        actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        resources = ["*"]
      },
    ])
  }, { reconciler = local.reconciler_statements })
}

# ---------------------------------------------------------------- queues
resource "aws_sqs_queue" "dlq" {
  for_each = var.dlq_names

  name                      = each.value
  message_retention_seconds = var.dlq_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "source" {
  for_each = var.queue_names

  name                       = each.value
  visibility_timeout_seconds = 6 * var.timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20
  # SQS-managed keys: S3 and SNS deliver here without grants on the stack's CMK.
  sqs_managed_sse_enabled = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

# A dead-letter queue takes messages from its own source queue only.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = var.dlq_names

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.source[each.key].arn]
  })
}

# ---------------------------------------------------------------- roles
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.role_names

  name               = each.value
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  for_each = local.statements

  dynamic "statement" {
    for_each = each.value
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = try(statement.value.conditions, [])
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.statements

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}

# ---------------------------------------------------------------- functions
resource "aws_cloudwatch_log_group" "this" {
  for_each = local.all_function_names

  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The functions call only AWS APIs (S3, SQS, DynamoDB, SageMaker); no VPC resources to reach.
  #checkov:skip=CKV_AWS_272:Packages are built and deployed by this pipeline (make functions); code signing needs a signing profile per account.
  #checkov:skip=CKV_AWS_116:SQS invokes these functions synchronously; failed messages go to each source queue's dead-letter queue (redrive_policy), a function DLQ would never receive them.
  for_each = var.function_names

  function_name                  = each.value
  description                    = "location-detector ${each.key} (${local.source_queue[each.key]} queue)"
  role                           = aws_iam_role.this[each.key].arn
  runtime                        = var.runtime
  handler                        = "app.lambda_handler"
  architectures                  = [var.architecture]
  filename                       = var.packages[each.key]
  source_code_hash               = filebase64sha256(var.packages[each.key])
  memory_size                    = var.memory_size[each.key]
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency[each.key]
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = merge(local.common_env, local.environment[each.key], {
      POWERTOOLS_SERVICE_NAME = "${var.service_name}-${each.key}"
    })
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.function_names

  event_source_arn                   = aws_sqs_queue.source[local.source_queue[each.key]].arn
  function_name                      = aws_lambda_function.this[each.key].arn
  enabled                            = var.event_sources_enabled
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrency[each.key]
  }
}

# ---------------------------------------------------------------- reconciler
# On a schedule, finishes the plans no notification finished (functions/pipeline/reconciler.py).
# Its role, policy and log group are the "reconciler" entries of the resources above.
resource "aws_lambda_function" "reconciler" {
  #checkov:skip=CKV_AWS_117:The function calls only AWS APIs (S3, SQS, DynamoDB); no VPC resources to reach.
  #checkov:skip=CKV_AWS_272:Packages are built and deployed by this pipeline (make functions); code signing needs a signing profile per account.
  #checkov:skip=CKV_AWS_116:EventBridge invokes it asynchronously on a schedule; a missed run is made up by the next one, which sees the same overdue plans.
  function_name = var.reconciler.function_name
  description   = "location-detector reconciler (every ${var.reconcile_schedule})"
  role          = aws_iam_role.this["reconciler"].arn
  runtime       = var.runtime
  handler       = "app.lambda_handler"
  architectures = [var.architecture]
  filename      = var.reconciler.package
  # A run handles at most RECONCILE_MAX_PLANS plans; it must not overlap the next one.
  source_code_hash = filebase64sha256(var.reconciler.package)
  memory_size      = 256
  timeout          = var.timeout_seconds
  # Runs do not overlap while the timeout is shorter than the schedule's period; reserving 1 on
  # top would fail in a new account (quota 10, all of it kept unreserved).
  reserved_concurrent_executions = var.reserved_concurrency.reconciler
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = local.reconciler_env
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.this]
}

resource "aws_cloudwatch_event_rule" "reconcile" {
  name                = var.reconciler.schedule_name
  description         = "Runs the location-detector reconciler."
  schedule_expression = var.reconcile_schedule
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "reconcile" {
  rule = aws_cloudwatch_event_rule.reconcile.name
  arn  = aws_lambda_function.reconciler.arn
}

resource "aws_lambda_permission" "reconcile" {
  statement_id  = "AllowScheduledRuns"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reconciler.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reconcile.arn
}
