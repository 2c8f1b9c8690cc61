# The single source of truth for resource names. Defaults follow the seed README so its
# commands work as written: lowercase dashed names for data resources, PascalCase for the
# Lambda functions and IAM roles.
locals {
  env    = var.environment
  suffix = var.bucket_suffix == "" ? "" : "-${var.bucket_suffix}"

  # "location-detection-<purpose>-<env>" for data stores and messaging.
  data = "location-detection"
  # "LocationDetection-<env>-<Purpose>" for compute and IAM.
  compute = "LocationDetection-${local.env}"

  names = {
    blueprints_bucket = "${local.data}-blueprints-${local.env}${local.suffix}"
    results_bucket    = "${local.data}-results-${local.env}${local.suffix}"

    # One repository per environment: dev's pushes and lifecycle never touch prod's images.
    ecr_repository   = "location-detector-${local.env}"
    model_prefix     = "location-detector-${local.env}-"
    endpoint         = "location-detector-${local.env}"
    endpoint_config  = "location-detector-${local.env}-"
    sagemaker_role   = "${local.compute}-SageMakerRole"
    kms_alias        = "alias/${local.data}-${local.env}"
    success_topic    = "${local.data}-inference-${local.env}"
    error_topic      = "${local.data}-inference-errors-${local.env}"
    alerts_topic     = "${local.data}-alerts-${local.env}"
    table            = "${local.data}-status-${local.env}"
    dashboard        = "${local.data}-${local.env}"
    alarm_prefix     = "${local.data}-${local.env}"
    trigger_function = "${local.compute}-InferenceTrigger"
    success_function = "${local.compute}-InferenceSuccess"
    failure_function = "${local.compute}-InferenceFailure"
    reconciler       = "${local.compute}-Reconciler"
    reconciler_role  = "${local.compute}-ReconcilerRole"
    reconcile_rule   = "${local.data}-reconcile-${local.env}"
    trigger_role     = "${local.compute}-InferenceTriggerRole"
    success_role     = "${local.compute}-InferenceSuccessRole"
    failure_role     = "${local.compute}-InferenceFailureRole"
    uploads_queue    = "${local.data}-uploads-${local.env}"
    success_queue    = "${local.data}-success-${local.env}"
    failure_queue    = "${local.data}-failure-${local.env}"
    uploads_dlq      = "${local.data}-uploads-dlq-${local.env}"
    success_dlq      = "${local.data}-success-dlq-${local.env}"
    failure_dlq      = "${local.data}-failure-dlq-${local.env}"
  }

  # Key prefixes inside the buckets (functions/README.md).
  prefixes = {
    blueprints = "blueprints/"
    inputs     = "inputs/" # pinned copies of uploaded versions (blueprints bucket)
    output     = "sagemaker-output/"
    failures   = "sagemaker-failures/"
    results    = "results/"
    models     = "models/"
  }

  tags = merge({
    Project     = "location-detector"
    Environment = local.env
    ManagedBy   = "terraform"
  }, var.tags)
}
