# The modules compose into one environment: names from the naming module reach every
# resource, and the cross-module wiring (queues, topics, endpoint) lines up.
mock_provider "aws" {
  override_during = plan
  source          = "../../mocks"
}

variables {
  environment = "dev"
  function_packages = {
    trigger    = "tests/fixtures/trigger.zip"
    success    = "tests/fixtures/success.zip"
    failure    = "tests/fixtures/failure.zip"
    reconciler = "tests/fixtures/reconciler.zip"
  }
  image_tag = "1.0.0"
}

run "composes_one_environment" {
  command = plan

  assert {
    condition     = output.names.endpoint == "location-detector-dev" && output.names.ecr_repository == "location-detector-dev"
    error_message = "The stack takes its names from the naming module."
  }

  assert {
    condition     = output.function_names.trigger == "LocationDetection-dev-InferenceTrigger" && output.function_names.failure == "LocationDetection-dev-InferenceFailure"
    error_message = "Each function is named by the naming module's name for its role."
  }

  assert {
    condition     = output.names.blueprints_bucket == "location-detection-blueprints-dev-111122223333" && output.names.results_bucket == "location-detection-results-dev-111122223333"
    error_message = "Bucket names end with the account id unless a suffix is chosen: unique by construction."
  }

  assert {
    condition     = startswith(output.model_data_url, "s3://") && endswith(output.model_data_url, "/models/location-detector/1.0.0/model.tar.gz")
    error_message = "Each release's model artifact lives in the results bucket under models/, keyed by its tag."
  }
}

run "explicit_bucket_suffix" {
  command = plan

  variables {
    bucket_suffix = "team-a"
  }

  assert {
    condition     = output.names.blueprints_bucket == "location-detection-blueprints-dev-team-a"
    error_message = "A chosen suffix replaces the account id."
  }
}
