# terraform targets (owned by the terraform work). Append to TEST_TARGETS / LINT_TARGETS as needed.
