# cmetrack: `make run` serves the demo on SQLite; `make test` runs the whole suite.
# Every target installs what it needs, so a fresh clone needs only Python 3.11, make and npm.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/cmetrack
VENDOR := src/cmetrack/static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= cmetrack.settings.dev

.PHONY: run serve test lint typecheck pytest setup assets db demo lock screenshots clean bench-load bench-spark

run: setup db demo
	@echo ""
	@echo "cmetrack is at http://$(HOST):$(PORT)/  (demo sign-in details above; Ctrl+C stops it)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: setup lint typecheck pytest

# Production-like on one machine: production settings, PostgreSQL from DATABASE_URL, gunicorn and
# the background worker (docs/administrator-guide.md). A secret key is made once in var/ unless
# CMETRACK_SECRET_KEY(_FILE) is given. Plain HTTP on $(HOST):$(PORT) for a TLS proxy in front,
# so no redirect to https here unless CMETRACK_SSL_REDIRECT=1.
serve: setup
	@test -n "$$DATABASE_URL" || { echo "make serve runs on PostgreSQL: set DATABASE_URL, e.g. DATABASE_URL=postgres://cmetrack@127.0.0.1:5432/cmetrack make serve"; exit 2; }
	@mkdir -p var
	@test -s var/secret-key || (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key)
	DJANGO_SETTINGS_MODULE=cmetrack.settings.production \
	CMETRACK_SECRET_KEY_FILE="$${CMETRACK_SECRET_KEY_FILE:-var/secret-key}" \
	CMETRACK_SSL_REDIRECT="$${CMETRACK_SSL_REDIRECT:-0}" \
	CMETRACK_BIND="$${CMETRACK_BIND:-$(HOST):$(PORT)}" \
	$(MANAGE) serve

# The load benchmark's own tools (locust), kept out of make test: benchmarks/load/.
bench-load: setup
	$(BIN)/pip install --quiet --require-hashes -r requirements/bench.txt

# Splink on Spark in local mode (pyspark, kept out of make test; Spark 4 needs Java 17 or 21, e.g.
# Debian's default-jre-headless): cmetrack link --engine spark, benchmarks/matching/bench_spark.py.
bench-spark: setup
	@command -v java >/dev/null 2>&1 || { echo "make bench-spark needs a Java runtime: apt-get install -y default-jre-headless"; exit 2; }
	$(BIN)/pip install --quiet --require-hashes -r requirements/spark.txt

setup: $(VENV)/.installed $(VENDOR)/.copied

$(VENV)/.installed: requirements/base.txt requirements/dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null \
		|| $(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend and MOJ Frontend come from npm and are copied, never committed. Their CSS
# points at /assets/; we rewrite that to a path relative to the CSS file so any STATIC_URL works.
# The source maps come too: the minified files name them, and collectstatic's manifest refuses a
# file that names one it cannot find.
$(VENDOR)/.copied: node_modules/.installed Makefile
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/govuk $(VENDOR)/moj
	cp -R node_modules/govuk-frontend/dist/govuk/assets $(VENDOR)/govuk/assets
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/govuk/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js.map \
		node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css.map $(VENDOR)/govuk/
	sed 's#url(/assets/#url(assets/#g' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css \
		> $(VENDOR)/govuk/govuk-frontend.min.css
	cp -R node_modules/@ministryofjustice/frontend/moj/assets $(VENDOR)/moj/assets
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js $(VENDOR)/moj/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js.map \
		node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css.map $(VENDOR)/moj/
	sed 's#url(/assets/#url(assets/#g' node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css \
		> $(VENDOR)/moj/moj-frontend.min.css
	touch $@

assets: $(VENDOR)/.copied

db: setup
	@mkdir -p var
	$(MANAGE) migrate --no-input -v 0

# Loads the synthetic demo authority once; later runs find it and start in seconds.
demo: db
	$(MANAGE) seed-demo --if-empty
	$(MANAGE) import-term-dates --bundled
	$(MANAGE) tick

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/bandit -c bandit.yaml -r src --quiet
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=cmetrack.settings.test $(MANAGE) makemigrations --check --dry-run -v 0

typecheck: setup
	$(BIN)/mypy src tests

# -n 2: the machine has two cores. Browser tests need Debian's chromium (see .ci/run).
pytest: setup
	DJANGO_SETTINGS_MODULE=cmetrack.settings.test $(BIN)/pytest -n 2 --create-db -p no:cacheprovider

screenshots: setup
	DJANGO_SETTINGS_MODULE=cmetrack.settings.test CMETRACK_SCREENSHOTS=docs/screenshots \
		$(BIN)/pytest -m browser -p no:cacheprovider tests/browser

lock:
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements/base.in -o requirements/base.txt
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements/dev.in -o requirements/dev.txt
	uv pip compile --quiet --python-version 3.11 --generate-hashes requirements/bench.in -o requirements/bench.txt

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles
