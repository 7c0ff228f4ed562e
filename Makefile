# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Development conveniences (a local secret key, no HTTPS redirect); production sets its own.
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test install prepare check lint format clean bench loadtest

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## prepare: migrate the database, load the curated knowledge, create a local admin once
prepare: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_knowledge
	$(DEV_ENV) $(BIN)/python manage.py ensure_local_admin

## run: everything above, then serve the site at http://127.0.0.1:8000/
run: prepare
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole suite (SQLite unless DATABASE_URL says otherwise), on every core; each
## worker has its own test database. `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n auto --dist load
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(DEV_ENV) $(BIN)/python manage.py check
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache loadtest-results

## bench: throughput and latency at 1x, 10x, 100x data on PostgreSQL (not part of `make test`)
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## loadtest: 60 s of mixed load on gunicorn + PostgreSQL, with a report (not part of `make test`)
loadtest: $(STAMP)
	$(BIN)/python scripts/loadtest.py $(LOADTEST_ARGS)
