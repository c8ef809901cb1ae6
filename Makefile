# EventMate — the README's entry points. `make run` and `make test` do all the set-up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run dev serve test lint format seed migrate static install bench bench-smoke chaos clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# A per-installation secret, generated once and never committed (.gitignore).
.secret_key:
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > .secret_key
	@chmod 600 .secret_key
	@echo "Generated .secret_key"

migrate: install .secret_key
	$(BIN)/python manage.py migrate --noinput

static: install .secret_key
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

## run: set everything up, load demo data if the database is empty, serve on http://$(HOST):$(PORT)
run: migrate static
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "Serving EventMate on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

## serve: the production server alone (Gunicorn, config/gunicorn.conf.py)
serve: migrate static
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

## dev: Django's development server with DEBUG on and auto-reload
dev: migrate
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: the whole suite (installs Chromium for the browser tests when it can)
test: install
	@bash scripts/ensure-test-tools
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## seed: demo data; SEED_ARGS="--events 100000 --users 10000" for more
seed: migrate
	$(BIN)/python manage.py seed_demo $(SEED_ARGS)

## bench: the full benchmark (BENCHMARKS.md); BENCH_ARGS="--duration 60 --growth-huge" to vary it
bench: install .secret_key
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## bench-smoke: seconds of load on tiny data, to keep the harness working (CI)
bench-smoke: install .secret_key
	$(BIN)/python -m bench.run --smoke $(BENCH_ARGS)

## chaos: faults injected under load behind nginx (RELIABILITY.md); CHAOS_ARGS="--quick" for short windows
chaos: install .secret_key
	$(BIN)/python -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
