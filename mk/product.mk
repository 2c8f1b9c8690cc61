# product targets: the browser the report test renders in, and `make demo` (the pipeline).

# Debian's chromium renders the HTML report in tests/detector/test_report.py. apt's lock is
# shared with anything else installing at the same time.
.PHONY: browser
browser: ## install chromium (headless browser for the report test) if it is missing
	@command -v chromium >/dev/null || { \
		echo "== installing chromium (Debian package) for the report test"; \
		flock /tmp/apt.lock sh -c 'apt-get install -y -q chromium >/dev/null 2>&1 || \
			{ apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }'; }

TEST_TARGETS += browser

# The product end to end: the local pipeline (reused when it is already up and healthy, else
# `make pipeline-up`: emulator, stack applied, model server and stand-ins), then a few drawn
# plans uploaded with boto3 and their results, overlays and HTML report in out/demo/.
PRODUCT_DEMO_OUT ?= $(OUT)/demo
.PHONY: demo
demo: venv ## the pipeline end to end, offline: upload plans, results + overlays + report.html in out/demo/
	@if $(PIPELINE) status >/dev/null 2>&1; then \
		echo "== the local pipeline is up (make pipeline-status): reusing it"; \
	else $(MAKE) --no-print-directory pipeline-up; fi
	@$(PY) localstack/product_demo.py --out $(PRODUCT_DEMO_OUT) --state-dir $(LOCAL_DIR) \
		--emulator-url $(EMULATOR_URL)
