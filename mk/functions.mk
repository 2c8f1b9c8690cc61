# functions targets (owned by the functions work). Append to TEST_TARGETS / LINT_TARGETS as needed.
#
# `make functions` -> build/functions/{trigger,success,failure}.zip, byte-identical across runs:
# the handler, the `pipeline` package, the numpy-free part of model/detector and the vendored
# dependencies of functions/requirements.txt (wheels for the Lambda platform, no bytecode).

FUNCTIONS_OUT  := build/functions
FUNCTIONS_DEPS := $(FUNCTIONS_OUT)/deps
# Must match the Lambda functions' `architectures` in Terraform: x86_64 (default) or arm64.
LAMBDA_ARCH    ?= x86_64
LAMBDA_PLATFORM := manylinux2014_$(if $(filter arm64,$(LAMBDA_ARCH)),aarch64,x86_64)
FUNCTION_ZIPS  := $(foreach f,trigger success failure reconciler,$(FUNCTIONS_OUT)/$(f).zip)
# What the zips ship, from the one list in build_zips.py (so a file it adds is rebuilt on too).
FUNCTION_SOURCES := $(shell $(PYTHON) functions/build_zips.py --list-sources) functions/build_zips.py

# Wheels for the Lambda runtime (python3.11 on Amazon Linux 2, glibc 2.26 -> manylinux2014).
$(FUNCTIONS_OUT)/.deps-$(LAMBDA_ARCH): functions/requirements.txt | $(VENV)/.installed
	rm -rf $(FUNCTIONS_DEPS) $(FUNCTIONS_OUT)/.deps-*
	$(PIP) install --quiet --disable-pip-version-check --target $(FUNCTIONS_DEPS) \
		--no-deps --no-compile --only-binary=:all: --platform $(LAMBDA_PLATFORM) \
		--python-version 3.11 --implementation cp --abi cp311 -r functions/requirements.txt
	touch $@

$(FUNCTION_ZIPS) &: $(FUNCTIONS_OUT)/.deps-$(LAMBDA_ARCH) $(FUNCTION_SOURCES)
	$(PY) functions/build_zips.py --deps $(FUNCTIONS_DEPS) --out $(FUNCTIONS_OUT)

.PHONY: functions
functions: $(FUNCTION_ZIPS) ## build the Lambda zips in build/functions/ (LAMBDA_ARCH=x86_64|arm64)

.PHONY: functions-test
functions-test: venv functions ## the Lambda tests only (moto; includes the zip checks)
	$(VENV)/bin/pytest -q tests/functions

TEST_TARGETS += functions

# The root whose `stack` output names the queues: the local one by default (on the emulator);
# REDRIVE_ROOT=terraform/envs/aws (initialised for the environment, terraform/README.md "Deploy";
# AWS credentials from the environment) for a real stack.
REDRIVE_ROOT ?= terraform/envs/local

.PHONY: redrive
redrive: venv ## replay every dead-letter queue into its source queue (REDRIVE_ROOT=terraform/envs/aws for AWS)
	$(TF) -chdir=$(REDRIVE_ROOT) output -json stack | $(PY) functions/redrive.py --stack - \
		$(if $(filter %/local,$(REDRIVE_ROOT)),--endpoint-url $(EMULATOR_URL))
