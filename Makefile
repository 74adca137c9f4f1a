# The two commands of the README:
#   make demo     -> set up a virtualenv, install mamori with its dev and demo extras, run `mamori demo`
#                    (emulated AWS, no account); `make demo-stop` stops a `mamori demo --keep-running`
#   make test     -> same set-up, chromium for the report's browser test (`make browsers`, apt, once),
#                    wait for PostgreSQL, lint, type-check, check the import contracts
#                    (pyproject.toml [tool.importlinter]) and run the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-stop test lint setup bytecode browsers clean bench docs fuzz

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) bytecode

# mamori's modules compiled once (only the changed ones again, 0.1 s when none changed): with
# PYTHONDONTWRITEBYTECODE set, as on CI machines and in many containers, an editable install
# never gets its .pyc files, and every `mamori` process compiled its ~600 modules again
# (`mamori scan --help`: 0.63-0.68 s -> 0.55-0.59 s; the same for every worker and test subprocess).
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src/mamori

demo: $(STAMP) bytecode
	$(BIN)/mamori demo

demo-stop: $(STAMP)
	$(BIN)/mamori demo --stop

# Debian's chromium for tests/report/test_report_browser.py; a no-op when it is installed.
browsers:
	@bash .ci/browsers.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) bytecode browsers
	@bash .ci/services.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	MAMORI_TEST_PG_URL=$${MAMORI_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	  $(BIN)/python -m pytest -n 2 -q

bench: $(STAMP) bytecode
	$(BIN)/python benchmarks/run_all.py

# The property tests with many more generated cases (docs/hostile-input.md); CI-optional.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -m hypothesis -q --hypothesis-show-statistics tests

clean:
	rm -rf $(VENV) .mamori .pytest_cache .mypy_cache .ruff_cache

docs: $(STAMP)
	$(BIN)/python -m mamori.rules.docs > docs/rules.md
	$(BIN)/python -m mamori.standards.docs docs/standards.md
