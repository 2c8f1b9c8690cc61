output "stack" {
  description = "Names, URLs and ARNs of the stack (see modules/stack/outputs.tf)."
  value = {
    blueprints_bucket  = module.stack.blueprints_bucket
    results_bucket     = module.stack.results_bucket
    ecr_repository_url = module.stack.ecr_repository_url
    model_data_url     = module.stack.model_data_url
    endpoint_name      = module.stack.endpoint_name
    function_names     = module.stack.function_names
    queue_urls         = module.stack.queue_urls
    dlq_urls           = module.stack.dlq_urls
    table_name         = module.stack.table_name
    status_index_name  = module.stack.status_index_name
    source_index_name  = module.stack.source_index_name
    status_index_name  = module.stack.status_index_name
    source_index_name  = module.stack.source_index_name
    dashboard_name     = module.stack.dashboard_name
  }
}
