# terraform targets (owned by the terraform work): offline checks of every module and root,
# and the local stack on the emulator (localstack/emulator.py, moto server on loopback).
# TF_CLI_CONFIG_FILE (Makefile) points terraform at the provider mirror in /opt/tf-plugins.

TF            ?= terraform
TF_DIR        := terraform
TF_ROOTS      := $(wildcard $(TF_DIR)/envs/*)
TF_MODULES    := $(sort $(patsubst %/tests/,%,$(dir $(wildcard $(TF_DIR)/modules/*/tests/*.tftest.hcl))))
# The AWS root is tested once per environment, with that environment's tfvars.
TF_AWS        := $(TF_DIR)/envs/aws
TF_AWS_RUNS   := $(patsubst $(TF_AWS)/%,$(TF_AWS):%,$(wildcard $(TF_AWS)/environments/*.tfvars))
TF_LOCAL      := $(TF_DIR)/envs/local
CHECKOV_VENV  := .venv-checkov
LOCAL_DIR     := .local
EMULATOR_HOST ?= 127.0.0.1
EMULATOR_PORT ?= 4566
# EMULATOR_URL given (environment or command line): an emulator already running, such as
# LocalStack (`EMULATOR_URL=http://localhost:4566 make local-up`); it is neither started nor
# stopped here, and the moto patches of localstack/emulator.py play no part. Otherwise the
# embedded emulator (moto server, patched) on EMULATOR_HOST:EMULATOR_PORT.
ifeq ($(origin EMULATOR_URL),undefined)
EMULATOR_URL  := http://$(EMULATOR_HOST):$(EMULATOR_PORT)
EXTERNAL_EMULATOR :=
else
EXTERNAL_EMULATOR := 1
endif
EMULATOR_PID  := $(LOCAL_DIR)/emulator.pid
EMULATOR_LOG  := $(LOCAL_DIR)/emulator.log
TF_LOCAL_VARS := -var emulator_endpoint=$(EMULATOR_URL) -var functions_build_dir=$(CURDIR)/build/functions
# Fails when no emulator process of ours is alive.
EMULATOR_ALIVE = test -f $(EMULATOR_PID) && kill -0 "$$(cat $(EMULATOR_PID))" 2>/dev/null

.PHONY: lint-terraform tf-fmt tf-validate tf-test tf-docs tf-docs-check checkov
LINT_TARGETS += lint-terraform

lint-terraform: tf-fmt tf-validate tf-test tf-docs-check checkov ## terraform fmt, validate (every root), test (every module), module READMEs, checkov

tf-fmt:
	$(TF) fmt -check -recursive -diff $(TF_DIR)

tf-validate:
	@set -e; for root in $(TF_ROOTS); do \
		echo "== validate $$root"; \
		$(TF) -chdir=$$root init -backend=false -input=false -no-color >/dev/null; \
		$(TF) -chdir=$$root validate -no-color; \
	done

# Two at a time (2 cores); each one's lines are printed together when it finishes. An entry
# dir:file.tfvars runs that root's tests with that var file.
tf-test:
	@$(TF) -chdir=$(TF_AWS) init -backend=false -input=false -no-color >/dev/null
	@printf '%s\n' $(TF_MODULES) $(TF_AWS_RUNS) | xargs -P 2 -I{} bash -c 'log=$$(mktemp); \
		dir=$${1%%:*}; vars=$${1#*:}; [ "$$vars" = "$$1" ] && vars= || vars="-var-file=$$vars"; \
		{ { [ -n "$$vars" ] || $(TF) -chdir=$$dir init -backend=false -input=false -no-color >/dev/null; } && \
		  $(TF) -chdir=$$dir test -no-color $$vars; } >$$log 2>&1; rc=$$?; \
		if [ $$rc -eq 0 ]; then out=$$(grep -E "^  run |^(Success|Failure)!" $$log); else out=$$(cat $$log); fi; \
		printf "== test %s\n%s\n" "$$1" "$$out"; rm -f $$log; exit $$rc' _ {}

# checkov pins old boto3/packaging, so it lives in its own venv.
$(CHECKOV_VENV)/.installed: $(TF_DIR)/requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $< 2>&1 | grep -v "^WARNING: Location" || true
	$(CHECKOV_VENV)/bin/checkov --version >/dev/null
	touch $@

# The module READMEs' Inputs/Outputs tables come from variables.tf/outputs.tf (HCL parser from
# the checkov venv).
tf-docs: $(CHECKOV_VENV)/.installed ## rewrite the Inputs/Outputs tables of the module READMEs
	$(CHECKOV_VENV)/bin/python $(TF_DIR)/docs.py

tf-docs-check: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/python $(TF_DIR)/docs.py --check

checkov: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov -d $(TF_DIR) --framework terraform --skip-download --quiet --compact

# ---------------------------------------------------------------- local stack
.PHONY: emulator-up emulator-down local-up local-down

ifdef EXTERNAL_EMULATOR
emulator-up: venv
	@mkdir -p $(LOCAL_DIR)
	@curl -s -o /dev/null --max-time 5 $(EMULATOR_URL)/ || { \
		echo "no emulator answers on EMULATOR_URL=$(EMULATOR_URL) (set: nothing is started here)"; exit 1; }
	@echo "using the emulator already running on $(EMULATOR_URL) (EMULATOR_URL; not started or stopped here)"

emulator-down:
	@echo "$(EMULATOR_URL) was not started here: left running"
else
emulator-up: venv ## start the local AWS emulator in the background (pid and log in .local/)
	@mkdir -p $(LOCAL_DIR)
	@if $(EMULATOR_ALIVE); then echo "emulator already running (pid $$(cat $(EMULATOR_PID))) on $(EMULATOR_URL)"; else \
		rm -f $(LOCAL_DIR)/terraform.tfstate $(LOCAL_DIR)/terraform.tfstate.backup; \
		if curl -s -o /dev/null $(EMULATOR_URL)/; then \
			echo "$(EMULATOR_URL) is taken by another process: set EMULATOR_PORT"; exit 1; fi; \
		nohup $(PY) localstack/emulator.py --host $(EMULATOR_HOST) --port $(EMULATOR_PORT) >$(EMULATOR_LOG) 2>&1 & \
		echo $$! >$(EMULATOR_PID); \
		for i in $$(seq 1 60); do \
			curl -sf -o /dev/null $(EMULATOR_URL)/moto-api/ && break; \
			$(EMULATOR_ALIVE) || { echo "emulator died, see $(EMULATOR_LOG)"; tail -20 $(EMULATOR_LOG); exit 1; }; \
			sleep 0.5; \
		done; \
		curl -sf -o /dev/null $(EMULATOR_URL)/moto-api/ || { echo "emulator not answering on $(EMULATOR_URL)"; exit 1; }; \
		echo "emulator running (pid $$(cat $(EMULATOR_PID))) on $(EMULATOR_URL), log $(EMULATOR_LOG)"; \
	fi

emulator-down: ## stop the local AWS emulator started by emulator-up
	@if $(EMULATOR_ALIVE); then kill "$$(cat $(EMULATOR_PID))"; echo "emulator stopped"; fi
	@rm -f $(EMULATOR_PID) $(LOCAL_DIR)/terraform.tfstate $(LOCAL_DIR)/terraform.tfstate.backup
endif

local-up: emulator-up functions ## start the emulator, apply the local root, print outputs, remaining drift, smoke checks
	$(TF) -chdir=$(TF_LOCAL) init -input=false -no-color >/dev/null
	@echo "== apply (full log: $(LOCAL_DIR)/apply.log)"
	@$(TF) -chdir=$(TF_LOCAL) apply -auto-approve -input=false -no-color $(TF_LOCAL_VARS) \
		>$(LOCAL_DIR)/apply.log 2>&1 || { cat $(LOCAL_DIR)/apply.log; exit 1; }
	@grep -E '^(Plan:|Apply complete|Warning:)' $(LOCAL_DIR)/apply.log
	@$(TF) -chdir=$(TF_LOCAL) output -no-color
	@echo "== second plan: what still differs after apply (known emulator gaps: terraform/README.md)"
	@rc=0; $(TF) -chdir=$(TF_LOCAL) plan -detailed-exitcode -input=false -no-color $(TF_LOCAL_VARS) \
		>$(LOCAL_DIR)/second-plan.txt 2>&1 || rc=$$?; \
	grep -vE ': (Refreshing state|Reading|Read complete)' $(LOCAL_DIR)/second-plan.txt; \
	if [ $$rc -eq 0 ]; then echo "== second plan: no differences"; \
	elif [ $$rc -eq 2 ]; then echo "== second plan: differences remain (printed above)"; \
	else echo "== second plan failed"; exit $$rc; fi
	@echo "== smoke: the applied wiring, through the emulator's APIs"
	@$(TF) -chdir=$(TF_LOCAL) output -json stack >$(LOCAL_DIR)/outputs.json
	@$(PY) localstack/smoke.py --endpoint $(EMULATOR_URL) --outputs $(LOCAL_DIR)/outputs.json

local-down: ## destroy the local stack and stop the emulator
	@if { $(EMULATOR_ALIVE) || [ -n "$(EXTERNAL_EMULATOR)" ]; } && [ -f $(LOCAL_DIR)/terraform.tfstate ]; then \
		$(TF) -chdir=$(TF_LOCAL) init -input=false -no-color >/dev/null && \
		{ $(TF) -chdir=$(TF_LOCAL) destroy -auto-approve -input=false -no-color $(TF_LOCAL_VARS) \
			>$(LOCAL_DIR)/destroy.log 2>&1 || { cat $(LOCAL_DIR)/destroy.log; exit 1; }; } && \
		grep -E '^(Destroy complete|Warning:)' $(LOCAL_DIR)/destroy.log; \
	else echo "no local stack to destroy"; fi
	@$(MAKE) --no-print-directory emulator-down
