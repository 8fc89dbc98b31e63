# Two commands on a fresh machine (Python 3.11+):
#   make demo   set up .venv and extract claims from the bundled sample news (corpus/news)
#   make test   set up .venv with the dev tools, lint, and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test lint eval fuzz clean

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

# Coverage-guided fuzzing of reader, amount parser and extractor (not part of CI):
#   make fuzz MINUTES=10      crashes land in fuzz/findings/ as crash-* files
MINUTES ?= 5
fuzz: $(BIN)/claims
	$(BIN)/python -m pip install --quiet atheris
	rm -rf .fuzz-corpus && mkdir -p .fuzz-corpus fuzz/findings && cp corpus/news/*.txt .fuzz-corpus/
	$(BIN)/python fuzz/fuzz_claims.py -max_total_time=$$(( $(MINUTES) * 60 )) -rss_limit_mb=3072 \
		-artifact_prefix=fuzz/findings/ .fuzz-corpus

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
