# The two commands: `make run` (install, migrate, demo data, web server + job worker) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := tests/node_modules/.installed
export DEBUG ?= 1

.PHONY: run run-firestore test install lint format bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NPM_STAMP): tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# Debian's Chromium for the end-to-end tests (installed when missing and we are root).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium) to run the e2e tests"; exit 1; fi; \
	fi

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	@echo "Web server on http://127.0.0.1:8000/ and a job worker; Ctrl-C stops both."
	$(PY) manage.py serve 127.0.0.1:8000

# `make run` with the cost store on Firestore: a local emulator process (the npm package in
# tests/node_modules, in memory only) holds generation events and aggregates; all else stays in
# SQLite. The emulator stops with the server.
FIRESTORE_PORT ?= 8686
run-firestore: $(STAMP) $(NPM_STAMP)
	$(PY) manage.py migrate --noinput
	@node tests/firestore_emulator.js $(FIRESTORE_PORT) & emulator=$$!; \
	  trap 'kill $$emulator 2>/dev/null' EXIT; \
	  for _ in $$(seq 100); do (: > /dev/tcp/127.0.0.1/$(FIRESTORE_PORT)) 2>/dev/null && break; sleep 0.1; done; \
	  export COSTS_STORE=firestore FIRESTORE_PROJECT=bakedbot-local \
	    FIRESTORE_EMULATOR_HOST=127.0.0.1:$(FIRESTORE_PORT); \
	  $(PY) manage.py demo_setup && \
	  echo "Web server on http://127.0.0.1:8000/ (costs on the Firestore emulator); Ctrl-C stops all." && \
	  $(PY) manage.py serve 127.0.0.1:8000

test: $(STAMP) $(NPM_STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var tests/node_modules
