# location-detector: the two commands of the README are `make demo` and `make test`.
# Each area adds its own targets in mk/<area>.mk; this file holds what they share.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Terraform never reaches the network: providers come from the local filesystem mirror.
export TF_CLI_CONFIG_FILE := $(CURDIR)/terraform/terraformrc
export TF_IN_AUTOMATION := 1

OUT := out

# The virtual environment is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements-dev.txt model/requirements.txt pyproject.toml $(wildcard functions/requirements*.txt)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip==25.3
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -e .
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## create .venv with everything the tests need

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# Test and lint are the sum of every area's parts (each mk/*.mk appends to these lists).
TEST_TARGETS :=
LINT_TARGETS := lint-python

.PHONY: lint-python
lint-python: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

include $(sort $(wildcard mk/*.mk))

.PHONY: test
test: venv $(TEST_TARGETS) ## run every test (installs what it needs)
	$(VENV)/bin/pytest -q

.PHONY: lint
lint: venv $(LINT_TARGETS) ## static checks: ruff, terraform fmt/validate/test, checkov

.PHONY: clean
clean:
	rm -rf $(VENV) $(OUT) build dist .pytest_cache .ruff_cache
