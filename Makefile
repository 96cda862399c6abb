# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/scorecard.duckdb
PUBLISHED_DB ?= data/published.duckdb
export PYTHONPYCACHEPREFIX := $(CURDIR)/.venv/pycache

.PHONY: run run-published test lint typecheck unit e2e demo bench clean browser

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e . 2>/dev/null || $(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

$(DB): | $(VENV)/.runtime
	$(BIN)/python -m scorecard demo --db $(DB)

run: $(VENV)/.runtime $(DB)
	$(BIN)/streamlit run app.py --server.headless true --server.port 8501 --browser.gatherUsageStats false

$(PUBLISHED_DB): | $(VENV)/.runtime
	$(BIN)/python -m scorecard published --db $(PUBLISHED_DB)

# The app on published figures only (no synthetic value), built once from data/published/.
run-published: $(VENV)/.runtime $(PUBLISHED_DB)
	SCORECARD_DB=$(PUBLISHED_DB) $(BIN)/streamlit run app.py --server.headless true --server.port 8501 --browser.gatherUsageStats false

browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null) \
	      || echo "could not install Debian chromium: real-browser tests will not run"; \
	  else echo "Debian chromium is missing and you are not root: real-browser tests will be skipped"; fi; \
	fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/python -m pytest -q

test: $(VENV)/.dev browser node_modules/axe-core/axe.min.js lint typecheck unit

demo: $(VENV)/.runtime
	$(BIN)/python -m scorecard demo --db $(DB)

bench: $(VENV)/.dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache test-artifacts
