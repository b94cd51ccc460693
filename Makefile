# Two commands do all set-up: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
# test processes (pytest-xdist); each has its own SQLite files, PostgreSQL database and Prefect server
TEST_WORKERS ?= auto
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)

.PHONY: run test test-sqlite test-postgres bench validate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package-lock.json
	bash .ci/ensure-npm-deps

run: $(STAMP) node_modules/.package-lock.json
	mkdir -p var
	$(BIN)/sagsflow db upgrade
	$(BIN)/sagsflow run

test: $(STAMP) node_modules/.package-lock.json
	bash .ci/ensure-chromium || echo "chromium could not be installed: the browser tests will be skipped"
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal

bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed: Python load generator used"
	$(BIN)/python -m benchmarks.run

validate: $(STAMP)
	$(BIN)/sagsflow bpmn validate

clean:
	rm -rf $(VENV) var/*.db var/*.db-*
