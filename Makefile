# The README's two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test prod synth bench lint venv install install-dev migrate seed check-deploy worker beat clean screenshots

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt platform/aws/requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $(VENV)/.installed $@

# checkov pins packaging<24, which the test tools can't share: it gets a virtualenv of its own.
AWS_CHECKOV := platform/aws/.venv-checkov
$(AWS_CHECKOV)/bin/checkov: platform/aws/requirements-checkov.txt
	$(PYTHON) -m venv $(AWS_CHECKOV)
	$(AWS_CHECKOV)/bin/pip install --quiet -r platform/aws/requirements-checkov.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev $(AWS_CHECKOV)/bin/checkov

## make run: install, migrate, load the demo data and serve the console on http://$(HOST):$(PORT)
# DEBUG=true on each command: the settings default to DEBUG off, which refuses the development
# secrets (and seed_demo refuses the demo accounts); this machine's server is the one place for them.
run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	@DEBUG=true $(PY) manage.py seed_demo --credentials
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, then the whole suite on PostgreSQL and Redis (found or started by
## tools/test_services.py), installing what the suite needs on a machine that lacks it
## (tools/system_deps.py: with apt as root, else it names the packages).
test: install-dev lint
	@$(PY) tools/system_deps.py
	@set -e; eval "$$($(PY) tools/test_services.py env)"; \
	trap '$(PY) tools/test_services.py stop' EXIT; \
	echo "DATABASE_URL=$$DATABASE_URL REDIS_URL=$$REDIS_URL"; \
	PASSWORD_HASHERS=django.contrib.auth.hashers.MD5PasswordHasher \
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

## make prod: the production process model here (DEBUG off, gunicorn + workers + one beat; tools/prod.py)
prod: install
	$(PY) tools/prod.py

## make synth: the AWS CDK app (platform/aws) to CloudFormation in platform/aws/cdk.out/, offline
synth: install-dev
	$(PY) platform/aws/app.py

## make screenshots: the portal at 390 and 1366 px into docs/screenshots/ (the demo data, served
## on a spare port, signed in as the demo owner; tools/screenshots.py).
screenshots: install-dev
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	$(PY) tools/screenshots.py

bench: install-dev
	$(PY) benchmarks/diff_realworld.py
	$(PY) benchmarks/hostile_inputs.py

## make lint: ruff (check and format), mypy (Django and DRF stubs; the engine strict), the import
## contracts of pyproject.toml and no import circles. `make test` runs it first.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache
	$(PY) tools/import_cycles.py
	$(VENV)/bin/hadolint platform/docker/Dockerfile
	$(VENV)/bin/shellcheck --shell=sh platform/docker/entrypoint.sh

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	APIKEY_PEPPER=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))') \
	ALLOWED_HOSTS=console.example.com $(PY) manage.py check --deploy --fail-level WARNING

# The worker and beat of `make run`'s console, with its DEBUG on.
worker: install
	DEBUG=true $(VENV)/bin/celery -A config worker -l info

beat: install
	DEBUG=true $(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) .services staticfiles db.sqlite3
