# Scale to zero and back, async output wiring, least-privilege execution role.
mock_provider "aws" {
  source = "../../mocks"
}

# The policies as the AWS provider renders them: aws_iam_policy_document is computed by the
# provider itself, offline. The real provider with dummy credentials plans it (nothing is
# called); the account id, which only AWS knows, is overridden. Its runs come first: on an
# empty state a plan refreshes nothing, so the mock's resources never reach the real provider.
provider "aws" {
  alias                       = "offline"
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  prefixes                    = { blueprints = "blueprints/", inputs = "inputs/", output = "sagemaker-output/", failures = "sagemaker-failures/", results = "results/" }
  endpoint_name               = "location-detector-test"
  model_name_prefix           = "location-detector-test-"
  endpoint_config_name_prefix = "location-detector-test-"
  role_name                   = "LocationDetection-test-SageMakerRole"
  image_uri                   = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/location-detector:1.0.0"
  ecr_repository_arn          = "arn:aws:ecr:eu-west-1:111122223333:repository/location-detector"
  model_data_url              = "s3://location-detection-results-test/models/location-detector/model.tar.gz"
  blueprints_bucket_arn       = "arn:aws:s3:::location-detection-blueprints-test"
  results_bucket_arn          = "arn:aws:s3:::location-detection-results-test"
  success_topic_arn           = "arn:aws:sns:eu-west-1:111122223333:location-detection-inference-test"
  error_topic_arn             = "arn:aws:sns:eu-west-1:111122223333:location-detection-inference-errors-test"
  kms_key_arn                 = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
}

run "create_grant_only_for_aws_resources" {
  command   = plan
  providers = { aws = aws.offline }

  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "111122223333" }
  }

  assert {
    condition = alltrue([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement :
      try(s.Condition.Bool["kms:GrantIsForAWSResource"], "") == "true"
      if contains(flatten([s.Action]), "kms:CreateGrant")
    ])
    error_message = "kms:CreateGrant must carry kms:GrantIsForAWSResource = true."
  }
}

run "scales_to_zero_and_back" {
  command = apply

  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 0
    error_message = "The endpoint must be able to scale to zero instances."
  }

  assert {
    condition     = aws_appautoscaling_target.this.resource_id == "endpoint/location-detector-test/variant/AllTraffic"
    error_message = "The scalable target must be the endpoint's production variant."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.production_variants[0].variant_name == "AllTraffic"
    error_message = "The scalable target's variant must be the one the endpoint configuration defines."
  }

  assert {
    condition = alltrue([
      for m in aws_appautoscaling_policy.backlog.target_tracking_scaling_policy_configuration[0].customized_metric_specification :
      m.metric_name == "ApproximateBacklogSizePerInstance" && m.namespace == "AWS/SageMaker" &&
      one([for d in m.dimensions : d.value if d.name == "EndpointName"]) == "location-detector-test"
    ])
    error_message = "Target tracking must follow ApproximateBacklogSizePerInstance of this endpoint."
  }

  assert {
    condition     = aws_appautoscaling_policy.scale_from_zero.policy_type == "StepScaling"
    error_message = "Scaling up from zero needs a step policy (target tracking cannot leave zero)."
  }

  assert {
    condition = anytrue([
      for s in aws_appautoscaling_policy.scale_from_zero.step_scaling_policy_configuration[0].step_adjustment :
      s.scaling_adjustment >= 1 && tonumber(s.metric_interval_lower_bound) == 0
    ])
    error_message = "The step policy must add at least one instance as soon as the alarm breaches."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.has_backlog_without_capacity.metric_name == "HasBacklogWithoutCapacity" &&
      aws_cloudwatch_metric_alarm.has_backlog_without_capacity.namespace == "AWS/SageMaker" &&
      aws_cloudwatch_metric_alarm.has_backlog_without_capacity.dimensions["EndpointName"] == "location-detector-test" &&
      aws_cloudwatch_metric_alarm.has_backlog_without_capacity.threshold == 1 &&
      aws_cloudwatch_metric_alarm.has_backlog_without_capacity.comparison_operator == "GreaterThanOrEqualToThreshold"
    )
    error_message = "The scale-from-zero alarm must fire when HasBacklogWithoutCapacity >= 1 for this endpoint."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.has_backlog_without_capacity.alarm_actions == toset([aws_appautoscaling_policy.scale_from_zero.arn])
    error_message = "The HasBacklogWithoutCapacity alarm must trigger the scale-from-zero policy."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.scale_from_zero.resource_id == aws_appautoscaling_target.this.resource_id &&
      aws_appautoscaling_policy.backlog.resource_id == aws_appautoscaling_target.this.resource_id
    )
    error_message = "Both policies must act on the endpoint's scalable target."
  }
}

run "async_output_paths_and_topics" {
  command = apply

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_output_path == "s3://location-detection-results-test/sagemaker-output/"
    error_message = "Async output must go to the results bucket under sagemaker-output/."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].s3_failure_path == "s3://location-detection-results-test/sagemaker-failures/"
    error_message = "Async failures must go to the results bucket under sagemaker-failures/."
  }

  assert {
    condition = (
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config[0].success_topic == var.success_topic_arn &&
      aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].notification_config[0].error_topic == var.error_topic_arn
    )
    error_message = "The endpoint must notify the success and error topics."
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.async_inference_config[0].output_config[0].kms_key_id == var.kms_key_arn
    error_message = "Async output must be encrypted with the stack's key."
  }

  assert {
    condition     = aws_sagemaker_endpoint.this.endpoint_config_name == aws_sagemaker_endpoint_configuration.this.name
    error_message = "The endpoint must use the async configuration."
  }
}

run "ping_keeps_a_free_thread" {
  command = plan

  variables {
    max_concurrent_invocations_per_instance = 5
  }

  assert {
    condition     = aws_sagemaker_model.this.primary_container[0].environment["MODEL_SERVER_THREADS"] == "6"
    error_message = "Each worker needs one thread more than the concurrent invocations, so /ping is answered."
  }
}

run "execution_role_is_least_privilege" {
  command = plan

  assert {
    condition = alltrue([
      for s in data.aws_iam_policy_document.permissions.statement :
      !contains(s.resources, "*") || alltrue([for a in s.actions : contains(["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData"], a)])
    ])
    error_message = "Only actions without resource-level permissions may use the \"*\" resource."
  }

  assert {
    condition = toset(one([for s in data.aws_iam_policy_document.permissions.statement : s.resources if s.sid == "ReadInputsAndModel"])) == toset([
      "arn:aws:s3:::location-detection-blueprints-test/blueprints/*",
      "arn:aws:s3:::location-detection-blueprints-test/inputs/*",
      "arn:aws:s3:::location-detection-results-test/models/location-detector/model.tar.gz",
    ])
    error_message = "The role reads blueprints/* and the model artifact, nothing else."
  }

  assert {
    condition = toset(one([for s in data.aws_iam_policy_document.permissions.statement : s.resources if s.sid == "WriteOutputsAndFailures"])) == toset([
      "arn:aws:s3:::location-detection-results-test/sagemaker-output/*",
      "arn:aws:s3:::location-detection-results-test/sagemaker-failures/*",
    ])
    error_message = "The role writes only sagemaker-output/* and sagemaker-failures/*."
  }

  assert {
    condition     = toset(one([for s in data.aws_iam_policy_document.permissions.statement : s.resources if s.sid == "NotifyTopics"])) == toset([var.success_topic_arn, var.error_topic_arn])
    error_message = "The role publishes to the two topics only."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.permissions.statement : s.resources if s.sid == "PullImage"]) == toset([var.ecr_repository_arn])
    error_message = "The role pulls from the stack's ECR repository only."
  }
}

run "rejects_an_untagged_image" {
  command = plan

  variables {
    image_uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/location-detector"
  }

  expect_failures = [var.image_uri]
}
