output "stack" {
  description = "What a local run needs: bucket names, key prefixes, queue URLs, function names, endpoint, table."
  value = {
    blueprints_bucket = module.stack.blueprints_bucket
    results_bucket    = module.stack.results_bucket
    prefixes          = module.stack.prefixes
    endpoint_name     = module.stack.endpoint_name
    model_data_url    = module.stack.model_data_url
    function_names    = module.stack.function_names
    queue_urls        = module.stack.queue_urls
    dlq_urls          = module.stack.dlq_urls
    table_name        = module.stack.table_name
    status_index_name = module.stack.status_index_name
    source_index_name = module.stack.source_index_name
    reconciler        = module.stack.reconciler
    success_topic_arn = module.stack.success_topic_arn
    error_topic_arn   = module.stack.error_topic_arn
  }
}
