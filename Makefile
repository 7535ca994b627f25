# Every target sets up what it needs: a fresh clone needs nothing installed by hand.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SIZE ?= default
FUZZ_EXAMPLES ?= 300

.PHONY: install run test bench load fuzz lint schema clean web web-check screenshots

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The web app (web/, SPEC §10): `npm ci` when the lockfile changes, a build into web/dist
## (git-ignored) when its sources change.
WEB_DEPS := web/node_modules/.installed-stamp
WEB_BUILT := web/dist/.built-stamp
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/package.json \
	web/vite.config.ts web/tsconfig.json

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: $(WEB_BUILT)

## Generated GraphQL types up to date with schema/schema.graphql, types, lint, unit tests.
web-check: $(WEB_DEPS)
	cd web && npm run codegen:check && npm run typecheck && npm run lint && npm test

## docs/worklist.png and docs/alert-editor.png, taken by the browser tests.
screenshots: install web
	scripts/ensure-chromium
	DSO_ALERTS_SCREENSHOTS=$(CURDIR)/docs DSO_ALERTS_TEST_DATABASES=sqlite \
		$(BIN)/pytest -q tests/test_web_app.py -k screenshots

## Load the demo ledger into the SQLite default when it is empty (printing a sign-in link for
## each demo user it creates), then serve the web app at / and GraphiQL at /graphql.
run: install web
	$(BIN)/dso-alerts demo
	$(BIN)/dso-alerts serve

## The whole suite, on SQLite and on a throwaway PostgreSQL the tests start themselves, with
## the fast executor; then the tests that execute GraphQL again on SQLite with graphql-core's
## own (fast_execution.py's fallback), which sits above the database: PostgreSQL, the import,
## the commands and the browser would add time, not coverage.
EXECUTOR_TESTS := tests/test_api_*.py tests/test_http_*.py tests/test_executors_agree.py \
	tests/test_fuzz_graphql.py tests/test_fuzz_regressions.py tests/test_security_properties.py \
	tests/test_seed_examples.py tests/test_query_limits.py tests/test_query_count.py \
	tests/test_error_hygiene.py tests/test_plugin_faults.py tests/test_differential.py \
	tests/test_loaders.py
test: install web web-check
	scripts/ensure-postgres
	scripts/ensure-chromium
	$(BIN)/pytest -q -n 2
	DSO_ALERTS_TEST_DATABASES=sqlite $(BIN)/pytest -q -n 2 --executor graphql-core $(EXECUTOR_TESTS)

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
