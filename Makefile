# MedCite: `make run` sets everything up and serves the web chat; `make test` installs and tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run index serve test test-fast lint bench bench-retrieval bench-scale model ranker browser-deps clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Build the index only when none exists (ingest is incremental; run `medcite ingest` to refresh).
index: install
	@if $(BIN)/medcite status --quiet >/dev/null 2>&1; then \
		echo "Index found ($$($(BIN)/medcite status --summary)). Run '$(BIN)/medcite ingest' to refresh it."; \
	else \
		echo "No index yet: ingesting the configured corpus (one-time; progress below)."; \
		$(BIN)/medcite ingest; \
	fi

# The web chat starts at once; a missing, unfinished or outdated index is brought up to date in the
# background (answers come from what is indexed so far, and the page says how far it is).
run: install
	$(BIN)/medcite serve --ingest

serve: install
	$(BIN)/medcite serve

# Browser tests need Debian's Chromium; install it when we can (root + apt), else they skip.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian chromium for browser tests..."; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will be skipped"; \
	fi

# pytest exit code 5 means "no tests collected": treat as failure only if that is not expected.
# lint-imports: the stage layers and import-cycle contracts of pyproject.toml ([tool.importlinter]).
test: install browser-deps
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -p no:cacheprovider tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-fast: install
	$(BIN)/python -m pytest -q -m "not integration and not browser and not slow" tests

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy medcite corpus embedding index ingest qa ui evals
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python -m evals.bench_ingest --out bench-out/ingest

bench-retrieval: install
	$(BIN)/python -m evals.bench_retrieval --out bench-out/retrieval

# Retrain the shipped retrieval encoder (issue 18; needs a built index; ~30 min on 2 cores).
model: install
	$(BIN)/medcite model train --out build/medcite-minilm-l6-bio

# Refit the fusion ranker for the default encoder (needs an index built with it; ~1 min).
ranker: install
	$(BIN)/medcite model ranker --out build/rankers/medcite-minilm-l6-bio.json

bench-scale: install
	$(BIN)/python -m evals.bench_scale --out bench-out/scale

clean:
	rm -rf $(VENV) .medcite bench-out runs
