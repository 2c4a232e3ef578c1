# Set-up and everyday commands. Needs only Python >= 3.10 and make; everything else is
# installed into .venv (and, for the browser tests, Debian's chromium where apt-get is usable).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.evsum-installed

.PHONY: setup reports test lab validate browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,pdf]'
	$(BIN)/python -m ipykernel install --sys-prefix --name evsum --display-name "Python (evsum)"
	touch $(STAMP)

## make reports: set up, validate the data, render every report of each evidence base (the
## repository's own and examples/*), check the links
EXAMPLES := $(wildcard examples/*/evsum.toml)

reports: setup
	$(BIN)/evsum render
	$(BIN)/evsum check-links reports
	@for base in $(dir $(EXAMPLES)); do \
	  echo "evsum render --base $$base"; \
	  $(BIN)/evsum render --base $$base && $(BIN)/evsum check-links --base $$base || exit 1; \
	done

## make test: set up (with the browser for the report tests), run the test suite
test: setup browser
	$(BIN)/python -m pytest

## make lab: JupyterLab on the notebooks
lab: setup
	$(BIN)/jupyter lab notebooks/

validate: setup
	$(BIN)/evsum validate

browser:
	@bash scripts/ensure-chromium

clean:
	rm -rf $(VENV) build reports/*.html reports/.evsum-state.json reports/.build \
	  examples/*/reports examples/*/build
