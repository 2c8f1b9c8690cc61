# detector targets (owned by the detector work). Append to TEST_TARGETS / LINT_TARGETS as needed.
