# The two commands a newcomer needs: `make run` opens the shop, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PRODUCTS ?= 2000
# Where `make run` keeps the shop between runs (git-ignored); `make reset` forgets it.
DATA ?= .ecomm
EMULATOR_PORT ?= 4566

.PHONY: install run reset test lint unit integration bench screenshots lock clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,emulator]"
	touch $(STAMP)

install: $(STAMP)

## run: the embedded AWS emulator (the kept shop, or provisioned and seeded) and the three roles;
## says "ready" with the URL once the shop answers; Ctrl-C stops the roles, then the emulator
run: $(STAMP)
	@$(BIN)/python -m ecomm.emulator.local_shop --products $(PRODUCTS) --data $(DATA) \
		--emulator-port $(EMULATOR_PORT)

## reset: forget the shop `make run` kept (stop it first); the next run seeds a fresh catalog
reset:
	rm -rf $(DATA)

## test: lint, type-check and every test (unit, integration, end-to-end, browser)
test: lint
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/pytest -q tests/integration

## bench: every HTTP phase driven by wrk (installed here when missing), then docs/benchmarks.md
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m benchmarks

## screenshots: docs/screenshots/ from the shop make run starts (2,000 products), desktop and phone
screenshots: $(STAMP)
	ECOMM_SCREENSHOTS=1 $(BIN)/pytest -q tests/browser/test_screenshots.py

## lock: re-pin the image's runtime dependencies (hash-checked) after changing pyproject.toml
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes --quiet

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
