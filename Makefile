# Two commands for a fresh machine: `make demo` and `make test`.
# Both create .venv and install what they need; the stamp reinstalls only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test check format bench wheel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m compileall -q viewer verify  # bytecode, as a wheel install has (editable here)
	$(BIN)/export-viewer demo

check: $(STAMP)
	$(BIN)/ruff format --check viewer verify tests bench
	$(BIN)/ruff check viewer verify tests bench
	$(BIN)/mypy

test: check
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff format viewer verify tests bench
	$(BIN)/ruff check --fix viewer verify tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

wheel: $(STAMP)
	$(BIN)/python -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build site .pytest_cache .mypy_cache .ruff_cache
