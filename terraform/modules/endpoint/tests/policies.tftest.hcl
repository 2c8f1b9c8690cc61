# The execution role's policy as the AWS provider renders it. aws_iam_policy_document is
# computed by the provider itself, offline: the real provider with dummy credentials plans it
# (nothing is called), and the few values only AWS knows are overridden.
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
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
  command = plan

  assert {
    condition = alltrue([
      for s in jsondecode(data.aws_iam_policy_document.permissions.json).Statement :
      try(s.Condition.Bool["kms:GrantIsForAWSResource"], "") == "true"
      if contains(flatten([s.Action]), "kms:CreateGrant")
    ])
    error_message = "kms:CreateGrant must carry kms:GrantIsForAWSResource = true."
  }
}
