# benchmark targets (owned by the benchmark work). Append to TEST_TARGETS / LINT_TARGETS as needed.
