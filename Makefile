# featurestore-demo: `make demo` runs the six steps locally; `make test` passes every test.
# Each target sets itself up: it creates .venv and installs the kit into it on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
COMPAT_VENV := .venv-compat
COMPAT_STAMP := $(COMPAT_VENV)/.installed
V3_VENV := .venv-compat-v3
V3_STAMP := $(V3_VENV)/.installed
NOTEBOOKS_STAMP := $(VENV)/.notebooks-installed
FEAST_VERSION := 0.67.0
FEAST_VENV := .venv-feast
FEAST_STAMP := $(FEAST_VENV)/.installed-$(FEAST_VERSION)
BENCH := $(BIN)/python -m pytest --benchmark --benchmark-columns=median,iqr,min,rounds

.DEFAULT_GOAL := help
.PHONY: help demo readme notebooks lint test test-compat test-compat-v3 test-local test-aws bench bench-feast bench-xl \
	clean

help: ## Show the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The real clients (SageMaker Python SDK v2, AWS CLI) live in their own virtualenv, so their
# pins can never change the kit's pandas/numpy in $(VENV).
$(COMPAT_STAMP): pyproject.toml
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COMPAT_VENV)/bin/python -m pip install --quiet -e '.[dev,compat]'
	@touch $(COMPAT_STAMP)

$(V3_STAMP): pyproject.toml
	$(PYTHON) -m venv $(V3_VENV)
	$(V3_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(V3_VENV)/bin/python -m pip install --quiet -e '.[dev,compat-v3]'
	@touch $(V3_STAMP)

# JupyterLab (the notebooks extra) goes into $(VENV), beside the kit, whose kernel runs the demo
# notebook; the SageMaker SDK notebook runs on $(COMPAT_VENV)'s kernel, registered in $(VENV).
# JUPYTER_ARGS go to `jupyter lab` (e.g. JUPYTER_ARGS="--no-browser --port 8899").
JUPYTER_ARGS ?=
$(NOTEBOOKS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks]'
	@touch $(NOTEBOOKS_STAMP)

# Feast, the benchmarks' peer, in its own virtualenv: only Feast and its pins, never the kit's.
# Its worker (tests/benchmarks/feast_worker.py) reads the Parquet files the benchmarks write.
$(FEAST_STAMP):
	$(PYTHON) -m venv $(FEAST_VENV)
	$(FEAST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FEAST_VENV)/bin/python -m pip install --quiet 'feast[duckdb]==$(FEAST_VERSION)'
	@rm -f $(FEAST_VENV)/.installed-*
	@touch $(FEAST_STAMP)

demo: $(STAMP) ## Run the six steps of the demo on the local backend (no AWS account)
	$(BIN)/featurestore-demo demo --backend local

notebooks: $(NOTEBOOKS_STAMP) $(COMPAT_STAMP) ## Open the notebooks in JupyterLab (the demo, and the SageMaker SDK on the emulator)
	$(COMPAT_VENV)/bin/python -m ipykernel install --prefix $(VENV) --name featurestore-demo-sdk \
		--display-name "featurestore-demo (SageMaker SDK)"
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(JUPYTER_ARGS) notebooks/feature_store_demo.ipynb

readme: $(STAMP) ## Regenerate the README's step outputs from one real run of the demo
	$(BIN)/python -m featurestore_demo.demo.readme_outputs README.md

lint: $(STAMP) ## Check the code: ruff (everything) and mypy (the two packages), as set in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/mypy

# The suite waits on I/O (emulator round trips, child processes) more than it computes, so four
# workers halve its wall time even on two cores. It runs the notebooks too, the SageMaker SDK one
# on $(COMPAT_VENV)'s kernel (test-compat builds it; NOTEBOOK_SDK_PYTHON makes it required).
test: $(STAMP) lint test-compat ## Lint, then run every offline test: unit, property, scenarios, notebooks, real clients
	NOTEBOOK_SDK_PYTHON=$(COMPAT_VENV)/bin/python $(BIN)/python -m pytest -n 4

test-compat: $(COMPAT_STAMP) ## Run the SageMaker SDK v2, AWS CLI and boto3 against the emulator
	$(COMPAT_VENV)/bin/python -m pytest tests/compat

test-compat-v3: $(V3_STAMP) ## Run the SageMaker SDK v3 core flow against the emulator (not in make test)
	$(V3_VENV)/bin/python -m pytest tests/compat

test-local: $(STAMP) ## Run the scenarios on the local backend only
	$(BIN)/python -m pytest scenarios -k local

test-aws: $(STAMP) ## Run the scenarios on real AWS (needs credentials, role and bucket)
	$(BIN)/python -m featurestore_demo.aws.check
	$(BIN)/python -m pytest scenarios --backend aws -m aws

# make bench tries to install Feast (about 30 s from PyPI); without it the Feast rows are skipped.
bench: $(STAMP) ## Run the benchmarks and print the comparison table (also in .benchmarks/), Feast beside the kit
	@$(MAKE) --no-print-directory $(FEAST_STAMP) || echo "make bench: Feast could not be installed; its rows are skipped"
	@mkdir -p .benchmarks
	$(BENCH) tests/benchmarks --benchmark-json=.benchmarks/raw.json

bench-feast: $(STAMP) $(FEAST_STAMP) ## Only the comparison with Feast (its own .venv-feast): point-in-time at S, online reads
	@mkdir -p .benchmarks
	$(BENCH) tests/benchmarks/test_bench_point_in_time.py tests/benchmarks/test_bench_online.py --pit-sizes=S \
		--bench-summary=.benchmarks/summary-feast.json --benchmark-json=.benchmarks/raw-feast.json

bench-xl: $(STAMP) ## The point-in-time join at S, M, L and XL (10M labels): time, per row, peak memory (~12 GiB)
	@mkdir -p .benchmarks
	$(BENCH) tests/benchmarks/test_bench_point_in_time.py --pit-sizes=S,M,L,XL -k "not feast" \
		--bench-summary=.benchmarks/summary-xl.json --benchmark-json=.benchmarks/raw-xl.json

clean: ## Remove the virtualenvs and local feature-store state
	rm -rf $(VENV) $(COMPAT_VENV) $(V3_VENV) $(FEAST_VENV) .featurestore .pytest_cache .benchmarks .mypy_cache \
		.ruff_cache notebooks/.featurestore notebooks/point_in_time.png
