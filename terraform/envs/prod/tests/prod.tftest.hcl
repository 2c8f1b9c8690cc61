# The prod root with its terraform.tfvars: every value passes the modules' validations and
# reaches the stack (mock provider: no credentials, no network).
mock_provider "aws" {
  override_during = plan
  source          = "../../mocks"
}

variables {
  functions_build_dir = "../../modules/stack/tests/fixtures"
}

run "prod_tfvars_plan" {
  command = plan

  assert {
    condition     = output.stack.endpoint_name == "location-detector-prod"
    error_message = "The prod root names its resources for prod."
  }

  assert {
    condition     = module.stack.names.blueprints_bucket == "location-detection-blueprints-prod"
    error_message = "Bucket names follow the seed README (no suffix set)."
  }
}
