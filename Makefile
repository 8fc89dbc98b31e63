# Two commands on a fresh machine (Python 3.11+):
#   make demo   set up .venv and extract claims from the bundled sample news (corpus/news)
#   make test   set up .venv with the dev tools, lint, and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint eval clean

$(BIN)/claims: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(BIN)/claims

demo: $(BIN)/claims
	$(BIN)/claims extract corpus/news --format table

test: $(BIN)/claims
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest

eval: $(BIN)/claims
	$(BIN)/claims eval corpus/news

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
