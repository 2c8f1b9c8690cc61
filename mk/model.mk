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

# The image: `docker build` when an engine answers, else buildah/podman as root with a local
# debootstrap base (model/image.sh). Their storage stays in IMAGE_STORE, with the base and the
# build's layers cached for the next run; `make image-clean` removes it all.
# MODEL_IMAGE (default in model/image.sh: localhost/location-detector:dev) names the image.
IMAGE_STORE ?= $(CURDIR)/build/image
export IMAGE_STORE
# Debian bookworm's, pinned (installed only when there is no working Docker engine).
IMAGE_APT_PACKAGES := buildah=1.28.2+ds1-3+deb12u1+b3 podman=4.3.1+ds1-8+deb12u1+b3 \
	runc=1.1.5+ds1-1+deb12u1 debootstrap=1.0.128+nmu2+deb12u2

.PHONY: image-tools
image-tools: ## install buildah, podman, runc and debootstrap unless a Docker engine answers
	@if docker info >/dev/null 2>&1; then exit 0; fi; \
	for tool in buildah podman runc debootstrap; do \
		command -v $$tool >/dev/null || missing=1; \
	done; \
	if [ -n "$$missing" ]; then \
		flock /tmp/apt.lock sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq $(IMAGE_APT_PACKAGES)'; \
	fi

.PHONY: image
image: image-tools ## build model/Dockerfile as MODEL_IMAGE and print its size
	model/image.sh build
	@echo "image $$(model/image.sh name): $$(( $$(model/image.sh size) / 1000000 )) MB"

.PHONY: image-clean
image-clean: ## remove the image, its containers and the build/run storage (IMAGE_STORE)
	model/image.sh clean

# The smoke test (tests/model/test_image.py) builds through the same script; cached, seconds.
TEST_TARGETS += image

.PHONY: benchmark-serving
benchmark-serving: venv ## /invocations vs in-process detection on the R3D plans: req/s, p50/p95, overhead
	$(PY) benchmarks/serving.py $(R3D_DIR)

.PHONY: benchmark-heavy
benchmark-heavy: venv ## time and peak RSS of the heaviest inputs (60 MP RGBA PNG, 3 x 59 MP TIFF, 200k-line PDF)
	$(PY) benchmarks/heavy_inputs.py

.PHONY: lint-model
lint-model: venv
	$(VENV)/bin/shellcheck model/build-and-push.sh model/image.sh
LINT_TARGETS += lint-model
