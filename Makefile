# Two entry points (see README): `make plan` runs the main job on the embedded Ouhai data,
# `make test` runs the checkers (ruff, mypy: `make check`) and then the whole test suite, notebooks
# included; a finding stops it. Both create .venv when missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.riskplan-installed
OUT    ?= out/plan

.PHONY: plan check test setup bench data clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	sh tools/install-cjk-font.sh
	sh tools/install-browser.sh
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/riskplan plan --out $(OUT)

check: $(STAMP)
	$(BIN)/ruff check riskplan tests benchmarks data tools
	$(BIN)/mypy

test: check
	TQDM_DISABLE=1 MPLBACKEND=Agg PYTHONWARNINGS=ignore::DeprecationWarning:jupyter_client $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

data: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[outline]"
	$(BIN)/python data/build_ouhai.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
