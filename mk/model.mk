# model targets: the SageMaker container (model/inference.py, model/serve, model/Dockerfile).

MODEL_ARTIFACT ?= build/model/model.tar.gz
MODEL_CONFIG   ?= model/config.json
MODEL_LOCAL    := build/model/local
SERVE_PORT     ?= 8080
R3D_DIR        ?= ../shared/datasets/r3d

# Deterministic: sorted, epoch mtimes, root-owned, world-readable (the workers may run as an
# unprivileged user), gzip without name or timestamp. An invalid config fails the build.
.PHONY: model-artifact
model-artifact: venv ## build/model/model.tar.gz (config.json) that the SageMaker model's ModelDataUrl points at
	@$(PY) -c "import sys; sys.path.insert(0, 'model'); \
		from detector.config import load_config; load_config('$(MODEL_CONFIG)')"
	@mkdir -p $(dir $(MODEL_ARTIFACT))
	@stage=$$(mktemp -d) && trap 'rm -rf "$$stage"' EXIT && \
		cp $(MODEL_CONFIG) "$$stage/config.json" && \
		tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=u=rw,go=r \
			-C "$$stage" -cf - config.json | gzip -9n > $(MODEL_ARTIFACT).tmp && \
		mv $(MODEL_ARTIFACT).tmp $(MODEL_ARTIFACT)
	@echo "model artifact: $(MODEL_ARTIFACT)"

.PHONY: serve
serve: venv ## run the container's entrypoint locally on SERVE_PORT (8080), no Docker
	@mkdir -p $(MODEL_LOCAL) && cp $(MODEL_CONFIG) $(MODEL_LOCAL)/config.json
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" SAGEMAKER_BIND_TO_PORT=$(SERVE_PORT) \
		MODEL_DIR=$(MODEL_LOCAL) model/serve serve

.PHONY: benchmark-serving
benchmark-serving: venv ## /invocations vs in-process detection on the R3D plans: req/s, p50/p95, overhead
	$(PY) benchmarks/serving.py $(R3D_DIR)

.PHONY: lint-model
lint-model: venv
	$(VENV)/bin/shellcheck model/build-and-push.sh
LINT_TARGETS += lint-model
