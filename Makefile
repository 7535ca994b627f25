# Every target sets up what it needs: a fresh clone needs nothing installed by hand.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SIZE ?= default
FUZZ_EXAMPLES ?= 300

.PHONY: install run test bench load fuzz lint schema clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Load the demo ledger into the SQLite default when it is empty, then serve GraphiQL.
run: install
	$(BIN)/dso-alerts demo
	$(BIN)/dso-alerts serve

## The whole suite, on SQLite and on a throwaway PostgreSQL the tests start themselves, with
## the fast executor; then again on SQLite with graphql-core's own (fast_execution.py's
## fallback), which sits above the database: PostgreSQL would add time, not coverage.
test: install
	scripts/ensure-postgres
	scripts/ensure-chromium
	$(BIN)/pytest -q
	DSO_ALERTS_TEST_DATABASES=sqlite $(BIN)/pytest -q --executor graphql-core

bench: install
	scripts/ensure-postgres
	$(BIN)/python -m bench --size $(SIZE)

## 20 clients for 30 s against one server on loopback (LOAD="--postgres --seconds 60 ...").
load: install
	scripts/ensure-postgres
	$(BIN)/python -m bench.load $(LOAD)

## `make test` fuzzes briefly; this fuzzes longer (FUZZ_EXAMPLES cases per entry point).
fuzz: install
	DSO_ALERTS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -s tests/test_fuzz_graphql.py

lint: install
	$(BIN)/ruff check .

schema: install
	$(BIN)/dso-alerts schema > schema/schema.graphql

clean:
	rm -rf $(VENV) *.egg-info bench-results
