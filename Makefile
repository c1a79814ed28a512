# The two commands a newcomer runs are `make demo` and `make test`; both set up .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEMO_STORE ?= demo.duckdb
DEMO_PEOPLE ?= 50000

.PHONY: help demo test lint fix typecheck pytest bench docs system-packages clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

demo: $(INSTALLED)  ## Build a synthetic population and show what secondchance makes of it
	$(BIN)/secondchance demo --store $(DEMO_STORE) --people $(DEMO_PEOPLE)

test: $(INSTALLED) system-packages lint typecheck pytest  ## Install everything and run every check

system-packages:  ## Install the system packages the tests need (Java for Spark)
	@bash scripts/install-system-packages

lint: $(INSTALLED)  ## ruff
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

fix: $(INSTALLED)  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

typecheck: $(INSTALLED)  ## mypy --strict over the package
	$(BIN)/mypy

pytest: $(INSTALLED)
	$(BIN)/pytest -n 2 --dist loadfile || [ $$? -eq 5 ]  # 5: no tests collected

bench: $(INSTALLED)  ## Run the benchmarks; each prints its ratios
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

docs: $(INSTALLED)  ## Regenerate the generated parts of docs/
	$(BIN)/python -m secondchance.docs

clean:  ## Remove the virtual environment and demo store
	rm -rf $(VENV) $(DEMO_STORE) $(DEMO_STORE).wal
