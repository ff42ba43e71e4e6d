# sa-workbench: one command for each job. Run `make help`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PROJECT := $(VENV)/.project-stamp
PARAMS ?= parameters/huntingdonshire_2025q4.yaml
STORE  := data/processed

.PHONY: help setup lock lock-upgrade report ingest-sample test test-fast lint format lab benchmark canary clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

LOCK   := requirements.lock
# What `make lock` resolves: the project's requirements (with the dev extra) and the build
# backend, for every platform and Python from 3.11.5 (uv's universal resolution).
LOCK_ARGS := pyproject.toml requirements/build.in --extra dev --universal \
	--python-version 3.11.5 --generate-hashes --quiet

# The environment is exactly the lock: a changed lock rebuilds .venv from scratch, every
# file checked against its hash; the project is built with the locked setuptools (no build
# isolation, so nothing unlocked is fetched), again whenever pyproject.toml changes.
$(STAMP): $(LOCK)
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m ipykernel install --sys-prefix --name sa-workbench --display-name "Python (sa-workbench)" >/dev/null
	touch $(STAMP)

$(PROJECT): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(PROJECT)

setup: $(PROJECT)  ## create .venv from requirements.lock with the sa command and the project's kernel

lock: setup  ## re-resolve requirements.lock after editing pyproject.toml (keeps every other pin)
	$(BIN)/uv pip compile $(LOCK_ARGS) -o $(LOCK)

lock-upgrade: setup  ## move requirements.lock to the newest releases (review with `make canary` first)
	$(BIN)/uv pip compile $(LOCK_ARGS) --upgrade -o $(LOCK)

# Ingest the sample whenever the store lacks any of its months (or holds them from other
# files): an earlier ingest of other forces or years does not count.
ingest-sample: $(PROJECT)  ## ingest the shipped sample into data/processed (when not already there)
	@$(BIN)/python scripts/store_has_sample.py $(STORE) || $(BIN)/sa ingest --quiet data/sample/police_uk

report: setup ingest-sample  ## set up, ingest the sample and build the quarterly pack in outputs/
	$(BIN)/sa run $(PARAMS)

# The sample pack is built once per run (tests/conftest.py `pack`) and shared by the tests
# that read it; --durations lists the slowest tests in CI's output.
# One BLAS thread: the suite's matrices are tiny, and numpy's per-core OpenBLAS threads spin
# (identical builds swung 1.7-5.8 CPU-s on a loaded 2-core machine; docs/benchmarks.md).
# The numbers are the same either way (the golden pack test).
test: setup ingest-sample  ## set up, lint, and run the whole test suite (what CI runs)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest --durations=25

test-fast: setup  ## unit tests and doctests for the edit loop: no whole pack, kernel or cluster
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -m "not e2e and not slow and not browser" --durations=10

lint:  ## ruff lint and format check
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

format:  ## apply ruff formatting
	$(BIN)/ruff format src tests scripts

lab: setup ingest-sample  ## open JupyterLab on the notebooks with the project's kernel
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

benchmark: setup  ## print speed and size figures against the targets
	$(BIN)/python scripts/benchmark.py

# The canary: the newest releases pyproject.toml allows (not the lock), in a scratch
# environment, rebuild the sample pack and compare it with the golden pack (docs/canary.md).
CANARY := .canary/venv
canary:  ## newest releases in .canary/: rebuild the sample pack, list every cell that moved
	$(PYTHON) -m venv --clear $(CANARY)
	$(CANARY)/bin/python -m pip install --quiet --upgrade pip setuptools
	$(CANARY)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[dev]"
	$(CANARY)/bin/python -m ipykernel install --sys-prefix --name sa-workbench --display-name "Python (sa-workbench canary)" >/dev/null
	$(CANARY)/bin/python scripts/canary.py

clean:  ## remove generated stores and outputs (data/raw and data/sample are untouched)
	rm -rf $(STORE) outputs/*/ outputs/.*tmp* .pytest_cache
