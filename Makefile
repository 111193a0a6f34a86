# 周转金台账 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run dev test lint bench clean system-run system-test

## The Debian packages (font, Chromium, PostgreSQL tools): installed when root with apt,
## otherwise the command stops here with the one line to run.
system-run system-test: system-%:
	@bash scripts/system-packages.sh $*

$(VENV)/.python-ok: | system-run
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.run-installed: requirements.txt $(VENV)/.python-ok
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.run-installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

## Set up, create/migrate instance/ledger.db (or DATABASE_URL), load the demo programme
## into an empty database (printing its logins), check what the PDFs need, and serve on
## 127.0.0.1:5000 with gunicorn (WORKERS processes, default 2; gunicorn.conf.py).
run: system-run $(VENV)/.run-installed
	$(PY) -m flask --app wsgi init-db
	$(PY) -m flask --app wsgi demo --if-empty
	$(PY) -m flask --app wsgi check
	HOST=$(HOST) PORT=$(PORT) $(PY) -m gunicorn --config gunicorn.conf.py wsgi:app

## The same, served by Flask's development server with the reloader and debugger
## (one process; never in production).
dev: system-run $(VENV)/.run-installed
	$(PY) -m flask --app wsgi init-db
	$(PY) -m flask --app wsgi demo --if-empty
	$(PY) -m flask --app wsgi check
	$(PY) -m flask --app wsgi run --debug --host $(HOST) --port $(PORT)

## Set up and run the whole suite (SQLite; set LEDGER_TEST_DATABASE_URL for PostgreSQL).
test: system-test $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## The write path beside the peer ledgers in one run (docs/PERFORMANCE.md);
## BENCH_SECONDS=5 for a short run. bench/*.py hold the other benches.
bench: $(VENV)/.dev-installed
	$(PY) bench/write_path.py $(if $(BENCH_SECONDS),--seconds $(BENCH_SECONDS))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
