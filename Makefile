# The two commands a newcomer needs: `make run` opens the shop, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PRODUCTS ?= 2000
EMULATOR := http://127.0.0.1:4566

.PHONY: install run test lint unit integration bench lock clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,emulator]"
	touch $(STAMP)

install: $(STAMP)

## run: the embedded AWS emulator (provisioned, seeded) and the three roles in one process
run: $(STAMP)
	@export AWS_ENDPOINT_URL=$(EMULATOR) AWS_DEFAULT_REGION=us-east-1; \
	$(BIN)/python -m ecomm emulator --products $(PRODUCTS) & emulator=$$!; \
	trap 'kill $$emulator 2>/dev/null; wait $$emulator 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -c 'from ecomm.emulator.command import wait_ready; wait_ready("$(EMULATOR)")' && \
	echo "" && echo "  ecomm is starting: open http://127.0.0.1:8080  (Ctrl-C stops everything)" && echo "" && \
	$(BIN)/python -m ecomm --role all

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

bench: $(STAMP)
	$(BIN)/python -m benchmarks

## lock: re-pin the image's runtime dependencies (hash-checked) after changing pyproject.toml
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes --quiet

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
