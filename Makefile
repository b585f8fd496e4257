# Backstep developer commands. `make run` and `make test` are the README's two commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
## Test workers (pytest-xdist): one more than the 2 cores of a Pi or CI machine, because most
## end-to-end tests wait on a real-time kiosk rather than use the CPU (docs/benchmarks.md).
TEST_WORKERS ?= 3

.PHONY: setup model run test test-fast lock lock-check lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements/dev.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Provision the pose model into the user cache (downloads once per machine).
model: setup
	$(BIN)/backstep model fetch

## Set up and run the kiosk (demo clip when no camera, headless when no display).
run: model
	$(BIN)/backstep run

## Set up and run lint, type checks and the tests.
test: model
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

## Quick loop while editing: lint and the tests not marked slow (no kiosk subprocesses; one
## real-footage smoke test). Times in docs/benchmarks.md.
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not slow"

## Regenerate requirements/*.lock (tested versions) from pyproject.toml; commit the result.
lock: setup
	UV=$(BIN)/uv requirements/lock.sh

## CI: fail when the locks no longer match pyproject.toml (needs PyPI).
lock-check: setup
	UV=$(BIN)/uv requirements/lock.sh --check

bench: model
	$(BIN)/backstep bench

.PHONY: bench-fleet
## Fleet figures (docs/benchmarks.md, "Fleet"): outbox drain, check-in look-up, UI frame rate meanwhile.
bench-fleet: setup
	$(BIN)/python tests/kiosk/fleet/bench_fleet.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
