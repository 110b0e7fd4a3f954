# fangyi — set-up, demo and tests. `make demo` and `make test` are all a fresh clone needs.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
FANGYI := $(BIN)/fangyi
DEMO_RESIDENTS ?= 20000
DEMO_ADDRESS ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2

# A Python >= 3.12 on PATH, else the newest one under pyenv's versions.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
		$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
		command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
		&& { command -v $$p; break; }; done)

.PHONY: help setup demo test lint check-python messages clean

help:
	@echo "make demo   set up, seed a demo city and start the server and worker on $(DEMO_ADDRESS)"
	@echo "make test   set up, then lint, checks and the whole test suite (SQLite, and PostgreSQL"
	@echo "            too when FANGYI_TEST_DATABASE_URL is set)"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "fangyi needs Python 3.12 or newer, and none was found on PATH or under ~/.pyenv/versions."; \
		echo "Install one (e.g. 'pyenv install 3.13' or your system's python3.12 package) or run"; \
		echo "'make PYTHON=/path/to/python3.12 ...'."; exit 1; fi
	@command -v npm >/dev/null || { echo "fangyi needs npm (Node.js) to install its front-end packages."; exit 1; }

$(BIN)/fangyi: pyproject.toml | check-python
	@echo "==> creating $(VENV) with $(PYTHON)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@echo "==> installing front-end packages"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(BIN)/fangyi node_modules/.package-lock.json

demo: export FANGYI_DEBUG ?= 1
demo: setup
	@$(FANGYI) migrate --no-input -v 0
	@$(FANGYI) seed --residents $(DEMO_RESIDENTS) --demo-staff
	@$(FANGYI) db_worker --no-startup-delay --no-reload >var/worker.log 2>&1 & echo $$! > var/worker.pid
	@# What cron does in production: colours whose period ended are recomputed every minute;
	@# check-ins, checkpoint scans and the records of expired codes are purged as they age;
	@# residents of a running round who cannot come get home-sampling tasks.
	@while sleep 60; do $(FANGYI) health recompute --due; $(FANGYI) checkpoints purge; $(FANGYI) portal purge; \
		$(FANGYI) codes purge; $(FANGYI) screening home-tasks --running; done >var/sweep.log 2>&1 & echo $$! > var/sweep.pid
	@echo
	@echo "fangyi is running at http://$(DEMO_ADDRESS)/ with the logins above."
	@echo "Task worker log: var/worker.log; status sweep log: var/sweep.log. Stop with Ctrl-C."
	@trap 'kill $$(cat var/worker.pid) $$(cat var/sweep.pid) 2>/dev/null; rm -f var/worker.pid var/sweep.pid' EXIT; \
		$(FANGYI) runserver --noreload $(DEMO_ADDRESS)

lint: setup
	@$(BIN)/ruff check
	@$(BIN)/ruff format --check

test: export FANGYI_INSECURE_DEV_KEY = 1
test: setup lint
	@$(FANGYI) check --fail-level WARNING
	@$(FANGYI) makemigrations --check --dry-run
	@echo "==> tests on SQLite"
	@$(BIN)/pytest -n $(PYTEST_WORKERS) -q
	@if [ -n "$$FANGYI_TEST_DATABASE_URL" ]; then \
		echo "==> tests on PostgreSQL"; \
		FANGYI_DATABASE_URL="$$FANGYI_TEST_DATABASE_URL" $(BIN)/pytest -n $(PYTEST_WORKERS) -q; \
	else echo "(set FANGYI_TEST_DATABASE_URL to run the suite on PostgreSQL too)"; fi

messages: setup
	@cd src/fangyi && ../../$(FANGYI) makemessages -l en --no-obsolete && ../../$(FANGYI) compilemessages

clean:
	rm -rf $(VENV) node_modules staticfiles
