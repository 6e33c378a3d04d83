# Two commands for a newcomer: `make demo` and `make test`. Both build .venv from the lock file first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: demo test venv system-deps lint typecheck check messages clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Uzart needs Python 3.11 or newer")'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; \
	  else echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2; exit 1; fi; }
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

venv: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

demo: venv
	$(BIN)/uzart demo

test: venv system-deps
	$(BIN)/uzart compilecatalogues --settings=uzart.settings_test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

check: lint typecheck test

# Re-extract the translatable strings of every app into its own catalogue.
messages: venv
	@for app in src/uzart/*/apps.py; do d=$$(dirname $$app); mkdir -p $$d/locale; \
	  (cd $$d && UZART_MODE=test ../../../$(BIN)/uzart makemessages -l ky -l ru -l en --no-obsolete -v 0); done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
