# The two commands of the README:
#   make conformance   run the conformance suite against the embedded emulator, write reports/
#   make test          the project's own tests (spec lint, emulator, suite, CLI, browser)
# Both set up everything they need from scratch in .venv (and node_modules for Spectral).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: conformance test setup setup-test lint-spec lint-imports clean

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

clean:
	rm -rf $(VENV) node_modules
