# pipeline targets (owned by the pipeline integration work): the whole pipeline offline on the
# local emulator. `local-up` (mk/terraform.mk) applies terraform/envs/local to moto server; these
# add the real container entrypoint (model/serve), the SageMaker async runtime stand-in
# (localstack/endpoint.py) and Lambda's SQS pollers running the real zips
# (localstack/lambda_runner.py). How it works: localstack/PIPELINE.md.
# LOCAL_DIR, EMULATOR_URL and MODEL_ARTIFACT come from mk/terraform.mk and mk/model.mk
# (recursive variables: expanded when the recipes run, whatever the include order).

PIPELINE_SEED ?= 7
PIPELINE = $(PY) localstack/local_pipeline.py --state-dir $(LOCAL_DIR) --emulator-url $(EMULATOR_URL)

.PHONY: pipeline-up pipeline-stop pipeline-down pipeline-demo pipeline-status pipeline-test pipeline-bench pipeline-restart
PIPELINE_BENCH_COUNT ?= 200

# MODEL_RUNTIME=image serves from the image `make image` builds, instead of model/serve.
MODEL_RUNTIME ?= process
pipeline-up: local-up model-artifact $(if $(filter image,$(MODEL_RUNTIME)),image) ## local stack + model server (MODEL_RUNTIME=process|image) + endpoint stand-in + Lambda runner (pids, logs: .local/pipeline/)
	@$(PIPELINE) up --model-artifact $(MODEL_ARTIFACT) --model-runtime $(MODEL_RUNTIME)

pipeline-stop: ## stop the processes pipeline-up started (the local stack stays)
	@$(PIPELINE) down

SERVICE ?=
pipeline-restart: ## restart one service of the running pipeline: make pipeline-restart SERVICE=serve|endpoint|runner
	@$(PIPELINE) restart $(SERVICE)

pipeline-down: pipeline-stop ## stop the pipeline's processes, destroy the local stack, stop the emulator
	@$(MAKE) --no-print-directory local-down

pipeline-demo: venv ## draw a plan, upload it, print its results document, timings and status; then a non-image
	@$(PIPELINE) demo --seed $(PIPELINE_SEED)

pipeline-bench: venv ## PIPELINE_BENCH_COUNT (200) plans (R3D + drawn) through the pipeline vs the detector alone: plans/s, ratio, p50/p95 latency
	@$(PIPELINE) bench --count $(PIPELINE_BENCH_COUNT) --seed $(PIPELINE_SEED)

pipeline-status: ## each service's health, plans not final (status index), oldest one, stuck ones, queue and DLQ depths (PIPELINE_STATUS_FLAGS=--all: final counts too)
	@$(PIPELINE) status $(PIPELINE_STATUS_FLAGS)

pipeline-test: venv ## the end-to-end tests only (own emulator, stack and processes; ~2 min)
	$(VENV)/bin/pytest -q tests/e2e
