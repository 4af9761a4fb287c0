# The two commands: `make run` and `make test`. Everything installs into .venv from pinned constraints.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
STRIPE_PORT ?= 8420
export STRIPE_PORT
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test install migrate seed stripe lint bench messages clean-var frontend-assets backup restore fuzz

$(VENV)/.installed: requirements.in requirements-dev.in constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.in -c constraints.txt
	touch $@

install: $(VENV)/.installed frontend-assets

# Third-party browser assets (htmx, the QR scanner) come from npm at install time into the git-ignored
# frontend/static/vendor/; whitenoise serves them, never a CDN.
frontend-assets: frontend/static/vendor/.built

frontend/static/vendor/.built: frontend/package.json frontend/package-lock.json frontend/scripts/vendor.mjs
	@command -v npm >/dev/null || { echo "npm (Node.js 18+) is required for frontend assets"; exit 1; }
	npm ci --prefix frontend --no-audit --no-fund
	npm run --prefix frontend build
	touch $@

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

stripe: install
	@mkdir -p var
	@if [ -f var/localstripe.pid ] && kill -0 $$(cat var/localstripe.pid) 2>/dev/null; then \
	  echo "localstripe already running on 127.0.0.1:$(STRIPE_PORT)"; \
	else \
	  nohup $(VENV)/bin/localstripe --port $(STRIPE_PORT) >var/localstripe.log 2>&1 & echo $$! > var/localstripe.pid; \
	  echo "localstripe (Stripe TEST MODE) started on 127.0.0.1:$(STRIPE_PORT)"; \
	fi
	@# Waits for localstripe, then has it deliver its signed events to this server's /webhooks/stripe/.
	$(PY) manage.py stripe_webhook_register http://$(HOST):$(PORT)

# localstripe first: the demo's payment history is paid through it.
run: stripe seed
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

# The API fuzzing suite (schemathesis against /api/schema/) with many examples per operation; `make test` and
# CI run the same suite with a few (FUZZ_EXAMPLES=4).
FUZZ_EXAMPLES ?= 100
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) DJANGO_SETTINGS_MODULE=portal.settings.test $(VENV)/bin/pytest tests/fuzz $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	@for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

# PostgreSQL backups (docs/operations.md, "Backups"): pg_dump of DATABASE_URL into var/backups/, and back.
backup:
	@sh scripts/backup.sh

restore:
	@sh scripts/restore.sh "$(FILE)"
