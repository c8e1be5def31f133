# hi — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo run test test-sqlite test-postgres test-browser screenshots lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "python3-venv missing: installing it"; apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/hi demo

run: $(STAMP)
	$(BIN)/hi run

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --config .importlinter
	$(BIN)/python scripts/import_cycles.py

test: $(STAMP) lint test-sqlite test-postgres

test-sqlite: $(STAMP)
	@echo "== tests on SQLite (browser tests included: Debian's Chromium) =="
	scripts/ensure-chromium.sh
	$(BIN)/pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

test-browser: $(STAMP)
	scripts/ensure-chromium.sh
	$(BIN)/pytest -q -p no:xdist -m browser $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@echo "== tests on PostgreSQL =="
	DATABASE_URL=$$(scripts/ensure-postgres.sh) $(BIN)/pytest -q -n 2 --dist loadfile -m "not browser" $(PYTEST_ARGS)

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script =="; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache

screenshots: $(STAMP)
	scripts/ensure-chromium.sh
	HI_UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q -p no:xdist -m browser $(PYTEST_ARGS)
