# Two commands: `make run` (demo at http://127.0.0.1:8000, as in production) and `make test` (the whole suite).
# `make dev` serves the same demo with DEBUG and auto-reload for development.
PY := .venv/bin/python
PIP := .venv/bin/pip
SERVICES := $(PY) scripts/devservices.py
export PYTHONUNBUFFERED := 1
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)

.PHONY: run dev test setup os-deps services lint messages clean stop

.venv/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3.11 -m venv .venv || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	touch $@

os-deps:
	@sh scripts/os-deps.sh

setup: os-deps .venv/.installed

# Production settings over plain HTTP (rentoffice/settings/local.py): DEBUG off, gunicorn workers,
# static files collected and served by whitenoise from the manifest.
run: setup
	@eval "$$($(SERVICES) start run)" && \
	export DJANGO_SETTINGS_MODULE=rentoffice.settings.local SECRET_KEY="$$($(PY) scripts/secret_key.py)" && \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) scripts/banner.py && \
	exec .venv/bin/honcho -f Procfile start

# Development: DEBUG on, Django's development server reloading on code changes.
dev: setup
	@eval "$$($(SERVICES) start run)" && \
	export DJANGO_SETTINGS_MODULE=rentoffice.settings.dev && \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py seed_demo && \
	$(PY) scripts/banner.py && \
	exec .venv/bin/honcho -f Procfile.dev start

test: setup
	@eval "$$($(SERVICES) start test)" && \
	DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -n $${PYTEST_WORKERS:-2} --dist loadgroup $(PYTEST_ARGS)

# The same checks `make test` runs (tests/test_code_style.py, tests/test_import_contract.py), on their own.
lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint templates */templates --lint
	.venv/bin/djlint templates */templates --check --quiet
	.venv/bin/mypy $$($(PY) -c "from tests.test_code_style import TYPED_PATHS; print(*TYPED_PATHS)")
	.venv/bin/lint-imports --no-cache

messages: setup
	$(PY) scripts/translations.py make && $(PY) scripts/translations.py compile

stop:
	-$(SERVICES) stop run
	-$(SERVICES) stop test

clean: stop
	rm -rf var .venv
