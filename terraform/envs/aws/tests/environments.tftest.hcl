# The root with one environment's tfvars (make tf-test runs it with each
# environments/<env>.tfvars): every value passes the modules' validations and reaches the
# stack (mock provider: no credentials, no network).
mock_provider "aws" {
  override_during = plan
  source          = "../../mocks"
}

variables {
  functions_build_dir = "../../modules/stack/tests/fixtures"
}

run "environment_plan" {
  command = plan

  assert {
    condition     = output.stack.endpoint_name == "location-detector-${var.environment}"
    error_message = "The root names its resources for its environment."
  }

  assert {
    condition     = module.stack.names.blueprints_bucket == "location-detection-blueprints-${var.environment}-111122223333"
    error_message = "Bucket names end with the account id: environments and accounts never collide."
  }
}

run "unset_tunables_take_the_stack_defaults" {
  command = plan

  variables {
    instance_type        = null
    max_concurrency      = null
    reserved_concurrency = null
  }

  assert {
    condition     = module.stack.names.endpoint == "location-detector-${var.environment}"
    error_message = "A tunable left null must fall back to the stack's default, not fail the plan."
  }
}

run "requires_the_account_ids" {
  command = plan

  variables {
    allowed_account_ids = []
  }

  expect_failures = [var.allowed_account_ids]
}
