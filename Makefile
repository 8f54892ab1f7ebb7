# trustdesk: `make run` sets everything up and starts the web UI;
# `make test` sets everything up and runs the whole suite. Nothing else is needed.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: help install browser postgres index run chat slack test test-fast bench doctor eval clean

help:
	@echo "make run        set up, build the index if needed, start the web UI (http://127.0.0.1:8501)"
	@echo "make chat       the same, in the terminal"
	@echo "make slack      the Slack app (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; README: In Slack)"
	@echo "make eval       evaluate on the golden set against the baselines; report in reports/"
	@echo "make test       set up (Chromium and PostgreSQL for their tests too), run the whole test suite"
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

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "the browser tests need Chromium: install Debian's chromium package" >&2; exit 1; fi; }

# The database tests start a throwaway PostgreSQL server from Debian's package (initdb/pg_ctl on loopback).
postgres:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else echo "the database tests need PostgreSQL: install Debian's postgresql package" >&2; exit 1; fi; }

index: install
	$(BIN)/trustdesk ingest

run: index
	$(BIN)/trustdesk ui

chat: index
	$(BIN)/trustdesk chat

slack: index
	$(BIN)/trustdesk slack

eval: index
	$(BIN)/trustdesk eval

test: install browser postgres
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow and not browser"

bench: install postgres
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/questionnaire.py
	$(PY) benchmarks/slack_load.py
	$(PY) benchmarks/slack_load.py --events 200 --instances 2 --postgres
	$(PY) benchmarks/conversations.py
	$(PY) benchmarks/conversations.py --server
	$(PY) benchmarks/tenants.py

doctor: install
	$(BIN)/trustdesk doctor

clean:
	rm -rf $(VENV) .trustdesk
