# The two commands: `make run` (install, migrate, demo data, web server + job worker) and `make test`;
# `make run-stack` runs the production topology (PostgreSQL, Redis, Firestore emulator, gunicorn).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := tests/node_modules/.installed
export DEBUG ?= 1

.PHONY: run run-firestore run-stack stack-packages test-packages test install lint format bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NPM_STAMP): tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# Debian packages the targets need, installed in one apt-get run when missing and we are root;
# otherwise a message naming each missing package. Chromium: the end-to-end tests; postgresql and
# redis-server: `make run-stack` and the stack test tier (tests/stack).
MISSING_STACK = ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server";
MISSING_CHROMIUM = [ -x /usr/bin/chromium ] || missing="$$missing chromium";
APT_INSTALL_MISSING = if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Install Debian's$$missing (sudo apt-get install$$missing): needed by make $@"; exit 1; fi; \
	fi

test-packages:
	@missing=""; $(MISSING_CHROMIUM) $(MISSING_STACK) $(APT_INSTALL_MISSING)

stack-packages:
	@missing=""; $(MISSING_STACK) $(APT_INSTALL_MISSING)

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

# The production topology on this machine (manage.py run_stack): PostgreSQL, Redis and the
# Firestore emulator on loopback ports with their state under var/stack/, gunicorn with 4 workers
# and 2 job workers on the production settings (DEBUG=0). Ctrl-C stops everything it started.
STACK_ARGS ?=
run-stack: $(STAMP) $(NPM_STAMP) stack-packages
	$(PY) manage.py run_stack $(STACK_ARGS)

# Two pytest processes (pytest-xdist); the stack tier's tests share one stack in one of them.
PYTEST_WORKERS ?= 2
test: $(STAMP) $(NPM_STAMP) test-packages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var tests/node_modules
