# An Toàn — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_PASSWORD ?= antoan-demo-2025

.PHONY: system-packages run test lint check-migrations check-translations pytest bench messages setup clean restore-drill

setup: $(VENV)/.installed node_modules/.installed locale/.compiled system-packages

# LibreOffice and poppler, for the PDF of the official reports (scripts/system_packages.sh).
system-packages:
	@scripts/system_packages.sh

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

locale/.compiled: $(VENV)/.installed $(wildcard locale/*/LC_MESSAGES/django.po)
	$(PY) scripts/compile_messages.py
	touch $@

run: setup
	mkdir -p var
	echo local > var/profile
	ANTOAN_ENV=local $(PY) manage.py migrate --no-input -v 0
	ANTOAN_ENV=local $(PY) manage.py load_places
	ANTOAN_ENV=local $(PY) manage.py load_plan
	ANTOAN_ENV=local $(PY) manage.py load_standards
	ANTOAN_ENV=local $(PY) manage.py load_indicators
	ANTOAN_ENV=local $(PY) manage.py seed_demo --password "$(DEMO_PASSWORD)"
	ANTOAN_ENV=local $(PY) manage.py ensure_campaigns
	-ANTOAN_ENV=local $(PY) manage.py generate_data --scale demo
	ANTOAN_ENV=local $(PY) manage.py send_report_reminders
	@echo
	@echo "An Toàn: http://127.0.0.1:$(PORT)/  (demo password: $(DEMO_PASSWORD))"
	@echo "Demo users: hotline1 worker1 supervisor1 worker2 health1 police1 nurse1 reporter1"
	@echo "            leader1 coordinator1 analyst1 manager1 auditor1 admin1 hotlinesup1"
	@echo "            reporter2 reporter3 (programme reporters)"
	@echo "Task worker (imports, reminders): manage.py db_worker, stopped with the server."
	ANTOAN_ENV=local $(PY) manage.py requeue_jobs --orphans
	ANTOAN_ENV=local $(PY) manage.py db_worker --queue-name '*' --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	ANTOAN_ENV=local $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup lint check-migrations check-translations pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	ANTOAN_ENV=test $(VENV)/bin/mypy antoan/*/services.py antoan/*/services/*.py antoan/*/selectors.py \
		antoan/*/selectors/*.py antoan/indicators/suppression.py \
		antoan/core/permissions.py antoan/core/audit.py

check-migrations:
	ANTOAN_ENV=test $(PY) manage.py makemigrations --check --dry-run

check-translations:
	ANTOAN_ENV=test $(PY) scripts/check_translations.py

pytest:
	ANTOAN_ENV=test $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

# Refresh the English catalogue after changing user-facing strings, then translate the gaps.
messages: setup
	ANTOAN_ENV=test $(PY) manage.py makemessages -l en --no-location --no-obsolete \
		-i ".venv/*" -i "node_modules/*" -i "var/*"

# Back up DATABASE_URL (PostgreSQL) and the uploaded files, restore into a scratch database and
# folder, compare every table, verify the copy's audit chain (docs/operations/backup.md).
restore-drill: setup
	@test -n "$$DATABASE_URL" || { echo "restore-drill: set DATABASE_URL=postgres://... (the database to drill)"; exit 2; }
	$(PY) manage.py restore_drill

bench: setup
	ANTOAN_ENV=test $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules var locale/.compiled

# The user guide's screenshots (docs/user-guide/img), regenerated from the journey tests.
.PHONY: user-guide-shots
user-guide-shots: setup
	rm -f docs/user-guide/img/*.png
	USER_GUIDE_SHOTS=docs/user-guide/img ANTOAN_ENV=test REQUIRE_BROWSER=1 \
		$(PY) -m pytest -q -n 0 -p no:cacheprovider tests/browser/test_journeys.py \
		tests/browser/test_accessibility.py -k "desk or phone or every_menu_page"
