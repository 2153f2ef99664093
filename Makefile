# Two entry points (see README): `make plan` runs the main job on the embedded Ouhai data,
# `make test` runs the whole test suite, notebooks included. Both create .venv when missing.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.riskplan-installed
OUT    ?= out/plan

.PHONY: plan test setup bench data clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	sh tools/install-cjk-font.sh
	touch $(STAMP)

plan: $(STAMP)
	$(BIN)/riskplan plan --out $(OUT)

test: $(STAMP)
	TQDM_DISABLE=1 MPLBACKEND=Agg PYTHONWARNINGS=ignore::DeprecationWarning:jupyter_client $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

data: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[outline]"
	$(BIN)/python data/build_ouhai.py

clean:
	rm -rf $(VENV) out .pytest_cache
