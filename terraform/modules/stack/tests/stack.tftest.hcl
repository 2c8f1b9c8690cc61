# The modules compose into one environment: names from the naming module reach every
# resource, and the cross-module wiring (queues, topics, endpoint) lines up.
mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock-bucket" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:111122223333:mock", url = "https://sqs.eu-west-1.amazonaws.com/111122223333/mock" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:mock" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:111122223333:function:mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:mock" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111122223333:repository/location-detector"
      repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/location-detector"
    }
  }
  mock_resource "aws_sagemaker_endpoint" {
    defaults = { arn = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/mock" }
  }
  mock_resource "aws_appautoscaling_policy" {
    defaults = { arn = "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:mock" }
  }
}

variables {
  environment = "dev"
  function_packages = {
    trigger = "tests/fixtures/trigger.zip"
    success = "tests/fixtures/success.zip"
    failure = "tests/fixtures/failure.zip"
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
