output "stack" {
  description = "Every output of the stack module (modules/stack/outputs.tf): names, key prefixes, URLs and ARNs."
  value       = module.stack
}
