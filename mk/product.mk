# product targets: the browser the report test renders in, and `make demo` (the pipeline).

# Debian's chromium renders the HTML report in tests/detector/test_report.py. apt's lock is
# shared with anything else installing at the same time.
.PHONY: browser
browser: ## install chromium (headless browser for the report test) if it is missing
	@command -v chromium >/dev/null || { \
		echo "== installing chromium (Debian package) for the report test"; \
		flock /tmp/apt.lock apt-get install -y -q chromium >/dev/null; }

TEST_TARGETS += browser
