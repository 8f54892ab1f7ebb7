# trustdesk: `make run` sets everything up and starts the terminal chat;
# `make test` sets everything up and runs the whole suite. Nothing else is needed.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: help install index run test test-fast bench doctor clean

help:
	@echo "make run        set up, build the index if needed, start the terminal chat"
	@echo "make test       set up, run the whole test suite"
	@echo "make test-fast  the quick loop: skip slow tests"
	@echo "make bench      ingest and latency benchmark (prints figures)"
	@echo "make doctor     check model, index, store and versions"
	@echo "make clean      remove the virtualenv and the local index"

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: the CPU build pip has on disk, so no dependency pulls a CUDA build.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/trustdesk ingest

run: index
	$(BIN)/trustdesk chat

test: install
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow and not browser"

bench: install
	$(PY) benchmarks/bench.py

doctor: install
	$(BIN)/trustdesk doctor

clean:
	rm -rf $(VENV) .trustdesk
