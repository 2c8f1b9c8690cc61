# Each Lambda: DLQ behind its queue, tracing, partial batch responses, the contract's
# environment, and a role that names only its own resources.
mock_provider "aws" {
  source = "../../mocks"
}

# Distinct queue ARNs and URLs, so the wiring below is checked queue by queue.
override_resource {
  target = aws_sqs_queue.source["uploads"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:uploads", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/uploads" }
}
override_resource {
  target = aws_sqs_queue.source["success"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:success", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/success" }
}
override_resource {
  target = aws_sqs_queue.source["failure"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:failure", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/failure" }
}
override_resource {
  target = aws_sqs_queue.dlq["uploads"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:uploads-dlq", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/uploads-dlq" }
}
override_resource {
  target = aws_sqs_queue.dlq["success"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:success-dlq", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/success-dlq" }
}
override_resource {
  target = aws_sqs_queue.dlq["failure"]
  values = { arn = "arn:aws:sqs:eu-west-1:111122223333:failure-dlq", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/failure-dlq" }
}

variables {
  function_names = {
    trigger = "LocationDetection-test-InferenceTrigger"
    success = "LocationDetection-test-InferenceSuccess"
    failure = "LocationDetection-test-InferenceFailure"
  }
  role_names = {
    trigger = "LocationDetection-test-InferenceTriggerRole"
    success = "LocationDetection-test-InferenceSuccessRole"
    failure = "LocationDetection-test-InferenceFailureRole"
  }
  queue_names = { uploads = "uploads", success = "success", failure = "failure" }
  dlq_names   = { uploads = "uploads-dlq", success = "success-dlq", failure = "failure-dlq" }
  packages = {
    trigger = "tests/fixtures/function.zip"
    success = "tests/fixtures/function.zip"
    failure = "tests/fixtures/function.zip"
  }
  table_name            = "location-detection-status-test"
  table_arn             = "arn:aws:dynamodb:eu-west-1:111122223333:table/location-detection-status-test"
  blueprints_bucket_arn = "arn:aws:s3:::location-detection-blueprints-test"
  results_bucket_name   = "location-detection-results-test"
  results_bucket_arn    = "arn:aws:s3:::location-detection-results-test"
  endpoint_name         = "location-detector-test"
  endpoint_arn          = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/location-detector-test"
  kms_key_arn           = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  status_index_name     = "status-deadline"
  prefixes = {
    blueprints = "blueprints/"
    inputs     = "inputs/"
    output     = "sagemaker-output/"
    failures   = "sagemaker-failures/"
    results    = "results/"
  }
  reconciler = {
    function_name = "LocationDetection-test-Reconciler"
    role_name     = "LocationDetection-test-ReconcilerRole"
    schedule_name = "location-detection-reconcile-test"
    package       = "tests/fixtures/function.zip"
  }
}

run "every_lambda_has_a_dlq_and_tracing" {
  command = apply

  assert {
    condition = alltrue([
      for k, q in aws_sqs_queue.source : jsondecode(q.redrive_policy).deadLetterTargetArn == aws_sqs_queue.dlq[k].arn
    ])
    error_message = "Every source queue must redrive to its own dead-letter queue."
  }

  assert {
    condition = alltrue([
      for fn, m in aws_lambda_event_source_mapping.this :
      m.event_source_arn == aws_sqs_queue.source[{ trigger = "uploads", success = "success", failure = "failure" }[fn]].arn
    ])
    error_message = "Each Lambda must consume its own queue (uploads -> trigger, success -> success, failure -> failure)."
  }

  assert {
    condition     = length(aws_lambda_function.this) == 3 && alltrue([for f in aws_lambda_function.this : f.tracing_config[0].mode == "Active"])
    error_message = "Every Lambda must have active X-Ray tracing."
  }

  assert {
    condition     = alltrue([for m in aws_lambda_event_source_mapping.this : m.function_response_types == toset(["ReportBatchItemFailures"])])
    error_message = "Every event source mapping must report partial batch failures."
  }

  assert {
    condition     = alltrue([for m in aws_lambda_event_source_mapping.this : m.enabled])
    error_message = "Event source mappings poll their queues unless switched off (local emulator only)."
  }

  assert {
    condition = alltrue([
      for f in aws_lambda_function.this :
      f.handler == "app.lambda_handler" && f.runtime == "python3.11" && coalesce(f.reserved_concurrent_executions, -1) == -1
    ])
    error_message = "Handler app.lambda_handler, runtime python3.11, and no reserved concurrency by default (a new account's quota of 10 leaves none to reserve)."
  }

  assert {
    condition     = { for k, m in aws_lambda_event_source_mapping.this : k => m.scaling_config[0].maximum_concurrency } == { trigger = 10, success = 5, failure = 2 }
    error_message = "Each event source caps its function's concurrency."
  }

  assert {
    condition     = alltrue([for k, q in aws_sqs_queue.source : q.visibility_timeout_seconds >= 6 * aws_lambda_function.this[{ uploads = "trigger", success = "success", failure = "failure" }[k]].timeout])
    error_message = "A queue's visibility timeout must be at least six times its function's timeout."
  }

  assert {
    condition     = keys(aws_cloudwatch_log_group.this) == keys(output.function_names) && alltrue([for fn, g in aws_cloudwatch_log_group.this : g.name == "/aws/lambda/${output.function_names[fn]}" && g.retention_in_days > 0])
    error_message = "Every Lambda, the reconciler too, must have its log group with a retention."
  }
}

run "environment_matches_the_contract" {
  command = plan

  assert {
    condition = keys(aws_lambda_function.this["trigger"].environment[0].variables) == sort([
      "TABLE_NAME", "RESULTS_BUCKET", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL",
      "ENDPOINT_NAME", "BLUEPRINTS_PREFIX", "OUTPUT_PREFIX", "INPUTS_PREFIX", "RESULTS_PREFIX", "MAX_OBJECT_BYTES",
      "REQUEST_TTL_SECONDS", "INVOCATION_TIMEOUT_SECONDS", "RETRY_QUEUE_URL", "DEAD_LETTER_QUEUE_URL",
      "RETRY_BUDGET_SECONDS", "RETRY_BASE_DELAY_SECONDS", "RETRY_MAX_DELAY_SECONDS", "RECONCILE_MARGIN_SECONDS",
    ])
    error_message = "The trigger's environment must be exactly the one functions/README.md documents."
  }

  assert {
    condition = keys(aws_lambda_function.this["success"].environment[0].variables) == sort([
      "TABLE_NAME", "RESULTS_BUCKET", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL",
      "RESULTS_PREFIX",
    ])
    error_message = "The success Lambda's environment must be exactly the one functions/README.md documents."
  }

  assert {
    condition = keys(aws_lambda_function.this["failure"].environment[0].variables) == sort([
      "TABLE_NAME", "RESULTS_BUCKET", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL",
      "RESULTS_PREFIX", "RETRY_QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "RETRY_BUDGET_SECONDS",
      "RETRY_BASE_DELAY_SECONDS", "RETRY_MAX_DELAY_SECONDS", "RECONCILE_MARGIN_SECONDS",
    ])
    error_message = "The failure Lambda's environment must be exactly the one functions/README.md documents."
  }

  assert {
    condition = keys(aws_lambda_function.reconciler.environment[0].variables) == sort([
      "TABLE_NAME", "RESULTS_BUCKET", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "LOG_LEVEL",
      "RESULTS_PREFIX", "RETRY_QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "RETRY_BUDGET_SECONDS",
      "RETRY_BASE_DELAY_SECONDS", "RETRY_MAX_DELAY_SECONDS", "RECONCILE_MARGIN_SECONDS",
      "STATUS_INDEX_NAME", "RECONCILE_MAX_PLANS",
    ])
    error_message = "The reconciler's environment must be exactly the one functions/README.md documents."
  }

  assert {
    condition = alltrue([
      for env in [aws_lambda_function.this["trigger"].environment[0].variables, aws_lambda_function.this["failure"].environment[0].variables, aws_lambda_function.reconciler.environment[0].variables] :
      tonumber(env.RETRY_BUDGET_SECONDS) >= 1800 && env.DEAD_LETTER_QUEUE_URL == aws_sqs_queue.dlq["uploads"].url
    ])
    error_message = "By default every retrying function outlasts a 30-minute outage and parks plans in the uploads DLQ."
  }

  assert {
    condition = (
      aws_lambda_function.this["trigger"].environment[0].variables.ENDPOINT_NAME == "location-detector-test" &&
      aws_lambda_function.this["trigger"].environment[0].variables.OUTPUT_PREFIX == "sagemaker-output/" &&
      aws_lambda_function.this["success"].environment[0].variables.RESULTS_PREFIX == "results/" &&
      aws_lambda_function.this["failure"].environment[0].variables.POWERTOOLS_METRICS_NAMESPACE == "LocationDetector"
    )
    error_message = "Environment values must follow the contract's defaults."
  }
}

run "roles_name_only_their_own_resources" {
  command = apply

  assert {
    condition = [
      for s in data.aws_iam_policy_document.this["trigger"].statement : s.resources if contains(s.actions, "s3:ListBucket")
    ] == [toset([var.blueprints_bucket_arn])]
    error_message = "The trigger may list the blueprints bucket (so a deleted upload is a 404, not a 403) and no other."
  }

  assert {
    condition = alltrue(flatten([
      for fn, doc in data.aws_iam_policy_document.this : [
        for s in doc.statement : !contains(s.resources, "*") || s.actions == toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
      ]
    ]))
    error_message = "Only X-Ray (no resource-level permissions) may use the \"*\" resource."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.this["trigger"].statement : s.resources if contains(s.actions, "sagemaker:InvokeEndpointAsync")]) == toset([var.endpoint_arn])
    error_message = "The trigger invokes its endpoint only."
  }

  assert {
    condition     = alltrue([for fn in ["success", "failure"] : !contains(flatten([for s in data.aws_iam_policy_document.this[fn].statement : tolist(s.actions)]), "sagemaker:InvokeEndpointAsync")])
    error_message = "Only the trigger may invoke the endpoint."
  }

  assert {
    condition = alltrue([
      for fn, q in { trigger = "uploads", success = "success", failure = "failure" } :
      one([for s in data.aws_iam_policy_document.this[fn].statement : s.resources if contains(s.actions, "sqs:ReceiveMessage")]) == toset([aws_sqs_queue.source[q].arn])
    ])
    error_message = "Each role consumes its own queue only."
  }

  assert {
    condition = alltrue([
      for doc in [data.aws_iam_policy_document.this["trigger"], data.aws_iam_policy_document.this["failure"], data.aws_iam_policy_document.this["reconciler"]] :
      one([for s in doc.statement : s.resources if contains(s.actions, "sqs:SendMessage")]) == toset([aws_sqs_queue.source["uploads"].arn, aws_sqs_queue.dlq["uploads"].arn])
    ])
    error_message = "Retries go to the uploads queue, exhausted plans to its DLQ, and nowhere else."
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.this["success"].statement : tolist(s.actions)]), "sqs:SendMessage")
    error_message = "The success Lambda sends no SQS messages."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this["reconciler"].statement : s.resources if contains(s.actions, "dynamodb:Query")]) == toset(["${var.table_arn}/index/status-deadline"]) &&
      !contains(flatten([for s in data.aws_iam_policy_document.this["reconciler"].statement : tolist(s.actions)]), "dynamodb:Scan")
    )
    error_message = "The reconciler may Query the status index only, and never Scan."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.this["trigger"].statement : s.resources if s.sid == "PinInputs"]) == toset(["arn:aws:s3:::location-detection-blueprints-test/inputs/*"])
    error_message = "The trigger writes pinned copies under the inputs prefix of the blueprints bucket only."
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.this["success"].statement : s.resources if s.sid == "ReadOutput"]) == toset(["arn:aws:s3:::location-detection-results-test/sagemaker-output/*"]) &&
      one([for s in data.aws_iam_policy_document.this["failure"].statement : s.resources if s.sid == "ReadFailures"]) == toset(["arn:aws:s3:::location-detection-results-test/sagemaker-failures/*"]) &&
      alltrue([for fn in ["trigger", "success", "failure"] : alltrue([
        for s in data.aws_iam_policy_document.this[fn].statement : s.resources == toset(["arn:aws:s3:::location-detection-results-test/results/*"]) if contains(s.actions, "s3:PutObject") && s.sid != "PinInputs"
      ])])
    )
    error_message = "S3 access is limited to each function's own prefixes; writes go to results/ only."
  }
}

run "the_reconciler_runs_on_its_schedule" {
  command = apply

  assert {
    condition = (
      aws_cloudwatch_event_rule.reconcile.schedule_expression == "rate(5 minutes)" &&
      aws_cloudwatch_event_target.reconcile.arn == aws_lambda_function.reconciler.arn &&
      aws_lambda_permission.reconcile.principal == "events.amazonaws.com" &&
      aws_lambda_permission.reconcile.source_arn == aws_cloudwatch_event_rule.reconcile.arn
    )
    error_message = "An EventBridge schedule invokes the reconciler, and only that rule may."
  }

  assert {
    condition     = coalesce(aws_lambda_function.reconciler.reserved_concurrent_executions, -1) == -1 && aws_lambda_function.reconciler.timeout < 300
    error_message = "Reconciler runs never overlap (timeout shorter than the 5-minute schedule) without reserving concurrency."
  }

  assert {
    condition     = output.function_names.reconciler == var.reconciler.function_name && output.reconciler.schedule_expression == "rate(5 minutes)"
    error_message = "The reconciler is listed with the functions (alarms, dashboard) and its schedule is an output."
  }
}

run "rejects_a_schedule_that_is_not_an_eventbridge_expression" {
  command = plan

  variables {
    reconcile_schedule = "every 5 minutes"
  }

  expect_failures = [var.reconcile_schedule]
}

run "rejects_a_package_that_is_not_a_zip" {
  command = plan

  variables {
    packages = {
      trigger = "tests/fixtures/function.tar"
      success = "tests/fixtures/function.zip"
      failure = "tests/fixtures/function.zip"
    }
  }

  expect_failures = [var.packages]
}
