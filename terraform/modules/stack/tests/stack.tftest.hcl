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
    condition     = output.names.endpoint == "location-detector-dev" && output.names.blueprints_bucket == "location-detection-blueprints-dev"
    error_message = "The stack takes its names from the naming module."
  }

  assert {
    condition     = startswith(output.model_data_url, "s3://") && endswith(output.model_data_url, "/models/location-detector/model.tar.gz")
    error_message = "The model artifact lives in the results bucket under models/."
  }
}
