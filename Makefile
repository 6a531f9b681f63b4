# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test]"
	$(BIN)/python -m compileall -q src  # as pip does for installed packages: no compiling at each start
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/oncocohort demo

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test,bench]"
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) oncocohort-demo build *.egg-info src/*.egg-info
