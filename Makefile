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
	@# Five processes: this shell, the task worker, the sweep loop (what cron does in production:
	@# colours whose period ended are recomputed every minute; check-ins, checkpoint scans and
	@# the records of expired codes are purged as they age; residents of a running round who
	@# cannot come get home-sampling tasks), the command the sweep is running, and the server.
	@# The worker and the sweep get process groups of their own (setsid), so stopping the sweep
	@# stops its current command too; the trap, set before either starts, stops both whenever
	@# this shell ends: on Ctrl-C, or when the server stops or fails to start.
	@trap 'kill -- -$$worker -$$sweep 2>/dev/null' EXIT; \
	setsid $(FANGYI) db_worker --no-startup-delay --no-reload >var/worker.log 2>&1 & worker=$$!; \
	setsid bash -c 'while sleep 60; do $(FANGYI) health recompute --due; $(FANGYI) checkpoints purge; \
		$(FANGYI) portal purge; $(FANGYI) codes purge; $(FANGYI) screening home-tasks --running; done' \
		>var/sweep.log 2>&1 & sweep=$$!; \
	echo; \
	echo "fangyi is running at http://$(DEMO_ADDRESS)/ with the logins above."; \
	echo "Task worker log: var/worker.log; sweep log: var/sweep.log. Ctrl-C stops all of them."; \
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
	@if [ ! -x /usr/bin/chromium ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "==> installing chromium and fonts-noto-cjk"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium and a Chinese font. Run:"; \
			echo "  sudo apt-get install -y chromium fonts-noto-cjk"; \
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

messages: setup
	@cd src/fangyi && ../../$(FANGYI) makemessages -l en --no-obsolete && ../../$(FANGYI) compilemessages

clean:
	rm -rf $(VENV) node_modules staticfiles
