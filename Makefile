# crmlab — two commands on a fresh machine:
#   make course   set everything up and open the course in JupyterLab
#   make test     set everything up and run every test (and the explorer tests on matplotlib 3.10)
#   make test-fast  the inner loop: no notebooks, no browser, no slow statistics (under a minute)
# Everything is installed into .venv from this repository's own files.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888

.PHONY: course test test-fast setup setup-dev browser cjk-font notebooks keys benchmark dataset clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -e .

setup-dev: $(BIN)/python
	$(BIN)/pip install -e ".[dev]"

browser:
	bash .ci/install-browser

# a Chinese (CJK) font for figures with Chinese labels (fonts-noto-cjk, when none is installed)
cjk-font:
	bash .ci/install-cjk-font

course: setup cjk-font
	bash .ci/open-course $(PORT)

test: setup-dev browser cjk-font
	MPLBACKEND=agg $(BIN)/python -m pytest -n 2 --timeout 900
	bash .ci/check-matplotlib-310

# the inner loop (under a minute): no notebooks, no browser, no slow statistics
test-fast: setup-dev
	MPLBACKEND=agg $(BIN)/python -m pytest -n 2 --timeout 300 -q -m "not slow and not notebook and not browser"

notebooks: setup-dev
	$(BIN)/python -m tools.generate

keys: setup-dev
	$(BIN)/python -m tools.keys --all

benchmark: setup-dev browser
	$(BIN)/python benchmarks/run_all.py

dataset: setup
	$(BIN)/python -m sim --scenario classroom --seed 7 --out crmlab/datasets/classroom --overwrite

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
