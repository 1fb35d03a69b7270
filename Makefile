# WIJscan — two commands do all set-up on a fresh machine with Python 3 and make:
#   make run    create .venv, install, migrate the embedded SQLite database, load the demo, serve
#   make test   install the test dependencies and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wijscan

.PHONY: run test install install-test translations lint format check-content clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d wijscan/translations

run: install
	$(BIN)/wijscan db upgrade
	$(BIN)/wijscan demo --if-empty
	@echo "Open http://$(HOST):$(PORT) and log in with one of the demo accounts above."
	$(BIN)/wijscan run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/wijscan check-content
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$WIJSCAN_TEST_POSTGRES_URL" ]; then \
		echo "== the database tests again, on PostgreSQL =="; \
		WIJSCAN_TEST_DATABASE_URL="$$WIJSCAN_TEST_POSTGRES_URL" $(BIN)/pytest -m "not e2e" \
			--ignore=tests/content --ignore=tests/scoring --ignore=tests/load $(PYTEST_ARGS); \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-content: install
	$(BIN)/wijscan check-content

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
