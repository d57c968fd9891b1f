# certify — the two commands: `make run` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed
export FLASK_APP := wsgi

.PHONY: run test setup translations messages lint format check-migrations chromium bench clean

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "certify on http://127.0.0.1:$(PORT) — demo logins in README.md (password: certify-demo)"
	@# the scheduler (auto-submit sweep, lapses) runs beside the web server and stops with it
	$(BIN)/flask scheduler run & sched=$$!; trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

test: setup chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

setup: $(STAMP) translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled catalogs are build products: made from the committed .po files.
translations: $(STAMP)
	$(BIN)/pybabel compile -d certify/translations -D messages

# Extract every user-facing string and merge it into both catalogs (then translate the new zh_CN entries).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o certify/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i certify/translations/messages.pot -d certify/translations -D messages --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_english_catalog.py certify/translations/en/LC_MESSAGES/messages.po

# Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@scripts/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: setup
	$(BIN)/flask db check

clean:
	rm -rf $(VENV) .pytest_cache
