# model targets (owned by the model work). Append to TEST_TARGETS / LINT_TARGETS as needed.
