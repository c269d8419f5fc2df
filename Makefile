# The two commands of the README:
#   make conformance   run the conformance suite against the embedded emulator, write reports/
#   make test          the project's own tests (spec lint, emulator, suite, CLI, browser)
# Both set up everything they need from scratch in .venv (and node_modules for Spectral).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: conformance test test-lowest test-latest setup setup-test lint-spec lint-imports clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --silent
	./scripts/install-chromium

conformance: setup
	$(BIN)/monite-conformance run

# The base document, then the effective document of every version overlay (spec/versions/).
lint-spec:
	npx --no-install spectral lint --fail-severity error --ruleset spec/.spectral.yaml spec/monite-accounting.yaml
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(BIN)/python scripts/effective-specs "$$tmp" >/dev/null && \
	  npx --no-install spectral lint --fail-severity error --ruleset spec/.spectral.yaml "$$tmp"/*.yaml

lint-imports: setup-test
	$(BIN)/lint-imports --no-cache

test: setup-test lint-spec lint-imports
	$(BIN)/python -m pytest -n 2

# Version bounds kept honest (.ci/run, after `make test`): the package installed at the lowest
# versions pyproject.toml allows, and at the newest, each in a venv of its own, running a slice
# of about a minute: the option table, the configuration file, the schemathesis compatibility
# gate, and a real run (property tests and scenarios about tax rates) through the CLI.
VERSION_SLICE := tests/test_options.py tests/test_config_file.py tests/property/test_schemathesis_compat.py tests/property/test_property_ids.py
LOWEST_VENV   ?= .venv-lowest
LATEST_VENV   ?= .venv-latest

test-lowest:
	rm -rf $(LOWEST_VENV) && $(PYTHON) -m venv $(LOWEST_VENV)
	$(PYTHON) scripts/version-floors > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/python -m pip install --quiet -c $(LOWEST_VENV)/constraints.txt -e .
	$(LOWEST_VENV)/bin/python scripts/version-floors --check
	$(MAKE) --no-print-directory version-slice SLICE_VENV=$(LOWEST_VENV)

test-latest:
	rm -rf $(LATEST_VENV) && $(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install --quiet --upgrade -e .
	@# What is still held back, by our bounds or a dependency's (information, not a failure):
	-$(LATEST_VENV)/bin/python -m pip list --outdated 2>/dev/null | tail -n +3 | grep -vE '^(pip|setuptools) ' | sed 's/^/held back: /'
	$(MAKE) --no-print-directory version-slice SLICE_VENV=$(LATEST_VENV)

version-slice:
	$(SLICE_VENV)/bin/python -m pip list 2>/dev/null | grep -iE '^(pytest|rich|schemathesis|hypothesis|typer|httpx|fastapi) '
	$(SLICE_VENV)/bin/python -m pytest -q -p no:cacheprovider -p no:xdist -o addopts= $(VERSION_SLICE)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(SLICE_VENV)/bin/monite-conformance run --no-config --only tax-rates --report-dir "$$tmp/run" >"$$tmp/out" 2>&1 \
	  || { cat "$$tmp/out"; exit 1; }; tail -n 1 "$$tmp/out"

clean:
	rm -rf $(VENV) $(LOWEST_VENV) $(LATEST_VENV) node_modules
