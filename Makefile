# Everything a fresh Debian machine needs: `make run` serves, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System tools the tests use: espeak-ng makes speech for tests that must run anywhere.
APT_PACKAGES := espeak-ng
# torch is not needed yet; when it is, `pip install torch==2.13.0` first takes the CPU wheel.

.PHONY: install system-packages run test lint bench clean

install: $(VENV)/.installed

system-packages:
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

run: install
	$(BIN)/parley serve --host $(HOST) --port $(PORT) --first-app

test: install system-packages
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/asr.py

clean:
	rm -rf $(VENV) parley-data .pytest_cache .ruff_cache
