output "names" {
  description = "Map of every resource name of the stack (see main.tf for the keys)."
  value       = local.names
}

output "prefixes" {
  description = "Key prefixes inside the buckets: blueprints, output, failures, results, models."
  value       = local.prefixes
}

output "tags" {
  description = "Common tag map for every resource."
  value       = local.tags
}
