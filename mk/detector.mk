# detector targets (owned by the detector work). Append to TEST_TARGETS / LINT_TARGETS as needed.

DEMO_DIR  := $(OUT)/demo-cli
DEMO_SEED ?= 7
DETECTOR_CLI := $(VENV)/bin/location-detector

# `make demo` (mk/product.mk) runs the pipeline; this is the CLI on one drawn plan, no AWS.
.PHONY: demo-cli
demo-cli: venv ## draw a plan, find its rooms with the CLI alone: JSON and overlay in out/demo-cli/
	@mkdir -p $(DEMO_DIR)
	@$(DETECTOR_CLI) draw $(DEMO_DIR)/plan.png --seed $(DEMO_SEED) --width 1600 --height 1200 \
		--noise 0.3 --truth $(DEMO_DIR)/plan.truth.png
	@$(DETECTOR_CLI) detect $(DEMO_DIR)/plan.png --out $(DEMO_DIR) --overlay
	@$(PY) -c "import sys; from detector_dev.synthetic import compare_files; \
		print(compare_files(sys.argv[1], sys.argv[2]))" $(DEMO_DIR)/plan.json $(DEMO_DIR)/plan.truth.png
	@echo "results JSON: $(DEMO_DIR)/plan.json"
	@echo "overlay PNG:  $(DEMO_DIR)/plan.overlay.png (each room found, filled and numbered)"
	@echo "truth labels: $(DEMO_DIR)/plan.truth.png (16-bit, room k = value k)"

.PHONY: benchmark-large
benchmark-large: venv ## time and peak memory of the detector on a drawn 6000 x 4500 plan
	$(PY) benchmarks/large_plan.py
