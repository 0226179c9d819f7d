# The two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEVENV := $(BIN)/python scripts/devenv.py --

.PHONY: run test install lint messages clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(DEVENV) sh -c '$(BIN)/python manage.py migrate --noinput \
	  && $(BIN)/python manage.py collectstatic --noinput --verbosity 0 \
	  && $(BIN)/python manage.py load_demo \
	  && DJANGO_DEBUG=1 exec $(BIN)/python manage.py runserver 127.0.0.1:8000'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(DEVENV) sh -c '$(BIN)/python manage.py makemigrations --check --dry-run \
	  && $(BIN)/python -m pytest $(PYTEST_ARGS)'

# After changing a user-visible string: update the catalogue, translate, recompile.
messages: install
	DJANGO_SETTINGS_MODULE=federation.settings_test DATABASE_URL=postgres://unused/x sh -c '\
	  $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=var \
	  && $(BIN)/python manage.py compilemessages --ignore=.venv'

clean-db:
	rm -rf var/pgdata
