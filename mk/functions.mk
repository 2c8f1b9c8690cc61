# functions targets (owned by the functions work). Append to TEST_TARGETS / LINT_TARGETS as needed.
