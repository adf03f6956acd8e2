# mlpages: `make serve` builds and serves the demo course, `make test` runs every test,
# `make test-fast` every test but the browser (Selenium) ones.
# Each target installs what is missing first; stamps in .stamps/ record what is done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
PYTEST_WORKERS ?= 2

.PHONY: serve test test-fast test-js dev dist lint bench clean browser

# Builds the demo course and serves it with live reload on http://127.0.0.1:8000/.
serve: dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve --strict --dev-addr 127.0.0.1:8000

test: dev browser test-js lint
	NO_MKDOCS_2_WARNING=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# Everything but the tests that drive Chromium (marked `browser`) and those that install
# packages into a fresh virtual environment (marked `slow`): JavaScript unit tests, lint,
# and pytest's unit, golden and build tests.
test-fast: dev test-js lint
	NO_MKDOCS_2_WARNING=1 $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not browser and not slow"

# The runtime's pure logic under Node's own test runner (no npm packages beyond TF.js).
test-js: dev
	node --test tests/js/*.test.mjs

dev: $(STAMPS)/python $(STAMPS)/vendor $(STAMPS)/runtime-min

# ruff, mypy on the package (settings in pyproject.toml), and TypeScript's check of the
# runtime's JSDoc types (tsconfig.json).
lint: dev
	$(VENV)/bin/ruff check plugin tests bench tools
	$(VENV)/bin/mypy
	node_modules/.bin/tsc -p tsconfig.json

bench: dev browser
	$(PY) bench/run.py

# build/ goes too: setuptools would carry the vendor chunks of an earlier bundle (their names
# hash their content) from build/lib into the wheel.
dist: dev
	rm -rf dist build
	$(PY) -m build --wheel --outdir dist .

browser: $(STAMPS)/browser $(STAMPS)/java

clean:
	rm -rf $(VENV) $(STAMPS) node_modules runtime/vendor runtime/min site dist build .mlpages-cache

$(STAMPS):
	mkdir -p $(STAMPS)

# Debian's Chromium and its matching chromedriver (Selenium Manager cannot download here).
$(STAMPS)/browser: | $(STAMPS)
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi
	touch $@

# Java for the Selenium Grid the tests and the bench start (its jar is an npm package).
$(STAMPS)/java: | $(STAMPS)
	@if ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; \
	fi
	touch $@

$(STAMPS)/node: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# TF.js (esbuild chunks), uPlot and their notices, from the pinned npm packages.
$(STAMPS)/vendor: $(STAMPS)/node package-lock.json tools/vendor.py | $(STAMPS)
	$(PYTHON) tools/vendor.py
	touch $@

# The runtime's modules minified file by file into runtime/min/ (tools/vendor.py does it too,
# after TF.js): an edited module is minified again without bundling TF.js again.
$(STAMPS)/runtime-min: $(STAMPS)/vendor $(wildcard runtime/*.js) tools/vendor.py | $(STAMPS)
	$(PYTHON) tools/vendor.py --runtime
	touch $@

# constraints.txt pins every package to the versions the project is tested with;
# pyproject.toml declares only the ranges an author's project may choose within.
$(STAMPS)/python: pyproject.toml constraints.txt | $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@
