run "seed_readme_names" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition = (
      output.names.blueprints_bucket == "location-detection-blueprints-dev" &&
      output.names.results_bucket == "location-detection-results-dev" &&
      output.names.endpoint == "location-detector-dev" &&
      output.names.ecr_repository == "location-detector-dev" &&
      output.names.model_prefix == "location-detector-dev-" &&
      output.names.success_topic == "location-detection-inference-dev" &&
      output.names.trigger_function == "LocationDetection-dev-InferenceTrigger" &&
      output.names.sagemaker_role == "LocationDetection-dev-SageMakerRole"
    )
    error_message = "Default names must be the seed README's, so its commands work as written."
  }

  assert {
    condition     = output.prefixes.blueprints == "blueprints/" && output.prefixes.output == "sagemaker-output/" && output.prefixes.failures == "sagemaker-failures/" && output.prefixes.results == "results/"
    error_message = "Prefixes must be those the Lambdas and the container expect."
  }

  assert {
    # Alike across resource types only: the model and configuration prefixes, the repository
    # and the endpoint, the alarm prefix and the dashboard. Nothing else may collide.
    condition     = length(distinct([for k, v in output.names : v if !contains(["model_prefix", "alarm_prefix", "ecr_repository"], k)])) == length(output.names) - 3
    error_message = "Every name must be distinct."
  }

  assert {
    condition     = output.tags.Environment == "dev" && output.tags.Project == "location-detector"
    error_message = "The common tags name the project and the environment."
  }
}

run "suffix_makes_buckets_unique" {
  command = plan

  variables {
    environment   = "prod"
    bucket_suffix = "111122223333"
  }

  assert {
    condition     = output.names.blueprints_bucket == "location-detection-blueprints-prod-111122223333" && output.names.results_bucket == "location-detection-results-prod-111122223333"
    error_message = "The suffix is appended to both bucket names."
  }

  assert {
    condition     = output.names.endpoint == "location-detector-prod"
    error_message = "The suffix applies to bucket names only."
  }
}

run "rejects_an_invalid_environment" {
  command = plan

  variables {
    environment = "Dev_1"
  }

  expect_failures = [var.environment]
}
