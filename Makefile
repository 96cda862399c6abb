# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/scorecard.duckdb
# Where `make run` listens: this computer only by default. `make run HOST=0.0.0.0` serves the
# scorecard to the networks this computer is on, at http://<this computer's name>:PORT.
PUBLISHED_DB ?= data/published.duckdb
HOST ?= 127.0.0.1
PORT ?= 8501
URL_HOST ?= $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname),$(HOST))
# The package installer's own messages go here, not to the console.
INSTALL_LOG := $(VENV)/install.log
PIP := $(BIN)/pip install --disable-pip-version-check
# Run an installer command with its output in the install log; if it fails, show the log's end.
logged = { echo "$$ $(1)"; $(1); } >>$(INSTALL_LOG) 2>&1 \
  || { echo "Installing failed; the last lines of $(INSTALL_LOG):"; tail -n 20 $(INSTALL_LOG); exit 1; }
export PYTHONPYCACHEPREFIX := $(CURDIR)/.venv/pycache

.PHONY: run run-published test lint typecheck unit e2e demo bench clean browser pango

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) is needed and was not found: \
	install Python 3.11 (e.g. apt-get install python3.11 python3.11-venv), or name another \
	with PYTHON=..."; exit 1; }
	@echo "First run: setting up the scorecard in $(VENV) (installing it and the packages it \
	needs takes a minute or two)."
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/activate pango
	@if [ -f $@ ]; then echo "requirements.txt has changed: updating the installed packages \
	(a minute or two)."; fi; \
	echo "Installing; the installer's own messages go to $(INSTALL_LOG)."; \
	started=$$(date +%s); \
	$(call logged,$(PIP) -r requirements.txt); \
	$(call logged,$(PIP) --no-deps --no-build-isolation -e . || $(PIP) --no-deps -e .); \
	echo "Installed in $$(( $$(date +%s) - started )) seconds."
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	@echo "Installing the test tools into $(VENV) (messages in $(INSTALL_LOG))."
	@$(call logged,$(PIP) -r requirements-dev.txt)
	@touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

$(DB): | $(VENV)/.runtime
	@echo "Building the synthetic demo in $(DB): made-up figures up to last month."
	@$(BIN)/python -m scorecard demo --db $(DB) >/dev/null

# Ctrl-C (or a TERM) stops the scorecard; the recipe then ends normally instead of make
# reporting the interrupt as an error. Any other failure is reported as it is.
run: $(VENV)/.runtime $(DB)
	@$(BIN)/python -m scorecard summary --db $(DB)
	@echo "Starting the scorecard (a few seconds); it runs until you press Ctrl-C in this terminal."
	@trap true INT TERM; \
	SCORECARD_DB=$(DB) $(BIN)/streamlit run app.py --server.headless true \
	  --server.address $(HOST) --server.port $(PORT) --browser.serverAddress $(URL_HOST) \
	  --browser.gatherUsageStats false --logger.level warning; \
	status=$$?; case $$status in 0|130|143) echo "The scorecard has stopped.";; \
	*) exit $$status;; esac

# The Board pack's PDF (WeasyPrint) needs Pango and an Arial-metric font; installed only if missing.
pango:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation >/dev/null) \
	      || echo "could not install Debian's Pango: the Board pack (PDF) will not build"; \
	  else echo "Debian's Pango is missing and you are not root: install libpango-1.0-0 libpangoft2-1.0-0 for the Board pack"; fi; \
	fi

$(PUBLISHED_DB): | $(VENV)/.runtime
	@echo "Building the store of published figures in $(PUBLISHED_DB) (about a minute)."
	@$(BIN)/python -m scorecard published --db $(PUBLISHED_DB) >/dev/null

# The app on published figures only (no synthetic value), built once from data/published/.
run-published: $(VENV)/.runtime $(PUBLISHED_DB)
	@$(MAKE) --no-print-directory run DB=$(PUBLISHED_DB)

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
	$(BIN)/lint-imports

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
