# sa-workbench: one command for each job. Run `make help`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PARAMS ?= parameters/huntingdonshire_2025q4.yaml
STORE  := data/processed

.PHONY: help setup report ingest-sample test lint format lab benchmark clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name sa-workbench --display-name "Python (sa-workbench)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the sa command and the project's kernel

# Ingest the sample whenever the store lacks any of its months (or holds them from other
# files): an earlier ingest of other forces or years does not count.
ingest-sample: $(STAMP)  ## ingest the shipped sample into data/processed (when not already there)
	@$(BIN)/python scripts/store_has_sample.py $(STORE) || $(BIN)/sa ingest --quiet data/sample/police_uk

report: setup ingest-sample  ## set up, ingest the sample and build the quarterly pack in outputs/
	$(BIN)/sa run $(PARAMS)

test: setup ingest-sample  ## set up, lint, and run the test suite (what CI runs)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/python -m pytest

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

clean:  ## remove generated stores and outputs (data/raw and data/sample are untouched)
	rm -rf $(STORE) outputs/*/ outputs/.*tmp* .pytest_cache
