# Two commands do all set-up on a fresh machine with Python 3.11 and apt:
#   make run    venv + pinned requirements, then serve on http://127.0.0.1:8501
#   make test   the same, plus test tools and Debian's Chromium, then the whole suite
# The Dockerfile runs these same install and serve commands; tests/unit/test_setup_files.py checks they agree.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# CPU-only torch: PyPI's default Linux wheel bundles CUDA (several GB). Where this index can't be reached,
# pip falls back to PyPI and any local wheel it is configured to see.
TORCH_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INSTALL := install --retries 1 --extra-index-url $(TORCH_INDEX) torch==2.13.0
REQUIREMENTS_INSTALL := install -r requirements.txt
SERVE := streamlit run app.py
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench train-models clean

run: $(VENV)/.installed
	$(BIN)/$(SERVE)

test: $(VENV)/.installed-dev $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_generation.py
	$(BIN)/python bench/bench_training.py

train-models: $(VENV)/.installed
	$(BIN)/python scripts/train_bundled_models.py

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) $(TORCH_INSTALL)
	$(PIP) $(REQUIREMENTS_INSTALL)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

# Debian's Chromium drives the browser tests; playwright never downloads a browser of its own.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji

clean:
	rm -rf $(VENV) test-output .pytest_cache
