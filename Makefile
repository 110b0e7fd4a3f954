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

.PHONY: help setup demo test check lint types django-checks chromium check-python messages clean

help:
	@echo "make demo   set up, seed a demo city and start the server and worker on $(DEMO_ADDRESS)"
	@echo "make test   set up, then lint, types, checks and the whole test suite (SQLite, and"
	@echo "            PostgreSQL too when FANGYI_TEST_DATABASE_URL is set); installs chromium"
	@echo "make check  the quick round before a commit: lint, types, checks, tests without a browser"

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
	@# Four processes: this shell, the task worker (`fangyi worker`: db_worker, or rqworker with
	@# FANGYI_TASK_BACKEND=rq), the scheduler (`fangyi scheduler`: it enqueues the periodic work
	@# the areas declare, e.g. colours whose period ended every minute, purges, home-sampling
	@# sweeps; docs/tasks.md) and the server. The worker and the scheduler get process groups of
	@# their own (setsid), so that stopping one stops whatever it started; the trap, set before
	@# either starts, stops both whenever this shell ends: on Ctrl-C, or when the server stops or
	@# fails to start.
	@trap 'kill -- -$$worker -$$scheduler 2>/dev/null' EXIT; \
	setsid $(FANGYI) worker >var/worker.log 2>&1 & worker=$$!; \
	setsid $(FANGYI) scheduler >var/scheduler.log 2>&1 & scheduler=$$!; \
	echo; \
	echo "fangyi is running at http://$(DEMO_ADDRESS)/ with the logins above."; \
	echo "Task worker log: var/worker.log; scheduler log: var/scheduler.log. Ctrl-C stops all of them."; \
	$(FANGYI) runserver --noreload $(DEMO_ADDRESS)

lint: setup
	@$(BIN)/ruff check
	@$(BIN)/ruff format --check

types: export FANGYI_INSECURE_DEV_KEY = 1
types: setup
	@echo "==> mypy"
	@$(BIN)/mypy

django-checks: export FANGYI_INSECURE_DEV_KEY = 1
django-checks: setup
	@$(FANGYI) check --fail-level WARNING
	@$(FANGYI) makemigrations --check --dry-run

# Debian's chromium drives the browser tests and the screenshot scripts; the CJK fonts make
# them render Chinese instead of empty boxes.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q . \
			|| ! /sbin/ldconfig -p | grep -q libpangoft2-1.0; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> installing chromium, fonts-noto-cjk and Pango (for WeasyPrint)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq chromium fonts-noto-cjk \
				libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium and a Chinese font, the PDF documents"; \
			echo "Pango. Run:"; \
			echo "  sudo apt-get install -y chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0"; \
			exit 1; \
		fi; \
	fi

check: export FANGYI_INSECURE_DEV_KEY = 1
check: lint types django-checks
	@echo "==> tests without a browser on SQLite"
	@$(BIN)/pytest -n $(PYTEST_WORKERS) -q -m "not browser"

test: export FANGYI_INSECURE_DEV_KEY = 1
test: lint types django-checks chromium
	@echo "==> tests on SQLite"
	@$(BIN)/pytest -n $(PYTEST_WORKERS) -q
	@if [ -n "$$FANGYI_TEST_DATABASE_URL" ]; then \
		echo "==> tests on PostgreSQL"; \
		FANGYI_DATABASE_URL="$$FANGYI_TEST_DATABASE_URL" $(BIN)/pytest -n $(PYTEST_WORKERS) -q; \
	else echo "(set FANGYI_TEST_DATABASE_URL to run the suite on PostgreSQL too)"; fi
	@# The tests that run tasks, again on the RQ backend (each xdist worker in a Redis database
	@# of its own, 15 downwards; docs/testing.md).
	@if $(BIN)/python -c 'import os, redis; redis.Redis.from_url(os.environ.get("FANGYI_REDIS_URL", "redis://127.0.0.1:6379/0"), socket_timeout=2).ping()' 2>/dev/null; then \
		echo "==> task tests on RQ, SQLite"; \
		FANGYI_TASK_BACKEND=rq $(BIN)/pytest -n $(PYTEST_WORKERS) -q -m tasks || exit 1; \
		if [ -n "$$FANGYI_TEST_DATABASE_URL" ]; then \
			echo "==> task tests on RQ, PostgreSQL"; \
			FANGYI_TASK_BACKEND=rq FANGYI_DATABASE_URL="$$FANGYI_TEST_DATABASE_URL" \
				$(BIN)/pytest -n $(PYTEST_WORKERS) -q -m tasks || exit 1; \
		fi; \
	else echo "(no Redis answers at $${FANGYI_REDIS_URL:-redis://127.0.0.1:6379/0}: the task tests did not run on RQ)"; fi

messages: setup
	@cd src/fangyi && ../../$(FANGYI) makemessages -l en --no-obsolete && ../../$(FANGYI) compilemessages

clean:
	rm -rf $(VENV) node_modules staticfiles
