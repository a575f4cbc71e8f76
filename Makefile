# Two commands do all set-up on a fresh machine with Python 3.11 and apt:
#   make run    venv + pinned requirements, then serve on http://127.0.0.1:8501
#   make test   the same, plus test tools and Debian's Chromium, then the whole suite
#   make dev    like make run, but reloads a page when its source is saved (for developers)
# The Dockerfile runs these same install and serve commands; tests/unit/test_setup_files.py checks they agree.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# CPU-only torch: PyPI's default Linux wheel bundles CUDA (several GB). The index is tried once, up front: where it
# can't be reached, pip would retry it for every one of torch's dependencies, so torch comes from pip's own indexes and
# any local wheel it is configured to see instead, and set-up says so once.
TORCH_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INSTALL := install --retries 1 --extra-index-url $(TORCH_INDEX) torch==2.13.0
TORCH_INSTALL_WITHOUT_INDEX := install torch==2.13.0
REACHABLE := -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)"
REQUIREMENTS_INSTALL := install -r requirements.txt
SERVE := streamlit run app.py
# .streamlit/config.toml serves without a file watcher: inotify overflows on a tree this size, and nobody edits the
# code while serving a class. Developers get a polling watcher, which can't overflow.
DEV_WATCHER := --server.fileWatcherType poll --server.runOnSave true
CHROMIUM := /usr/bin/chromium
# The Training page pretrains on Shakespeare by default (1.1 MB, not in the repository): copied from ../shared/data
# when it is there, else downloaded once. Offline with neither, the page says so and takes an uploaded text instead.
CORPUS := data/tinyshakespeare.txt
CORPUS_URL := https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt
# Chinese in screenshots and browser tests needs a CJK font; without one Chromium draws empty boxes.
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run dev test lint bench train-models clean corpus

run: $(VENV)/.installed corpus
	$(BIN)/$(SERVE)

dev: $(VENV)/.installed corpus
	$(BIN)/$(SERVE) $(DEV_WATCHER)

test: $(VENV)/.installed-dev $(CHROMIUM) $(CJK_FONT) corpus
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

# About 25 minutes on a 2-core machine: run it on a quiet machine, and edit nothing meanwhile (its servers load the tree).
bench: $(VENV)/.installed-dev $(CHROMIUM)
	$(BIN)/python bench/bench_generation.py
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_pages.py --out test-output/bench-pages.json
	$(BIN)/python bench/bench_classroom.py --sessions 1,10,30 --out test-output/bench-classroom.json

# Both bundled models from scratch into runs/models/, one after the other on both cores: the GPT by the Training
# page's job with 2 one-thread workers, then the BERT (copy a folder into assets/models/ only if its card's held-out
# figures beat the bundled one). MINUTES=25 each by default.
MINUTES ?= 25
train-models: $(VENV)/.installed corpus
	mkdir -p runs/models
	$(BIN)/python scripts/train_bundled_models.py --model gpt --minutes $(MINUTES) --workers 2 --threads 1 \
		--out runs/models/shakespeare-gpt --run-dir runs/models/gpt-run
	$(BIN)/python scripts/train_bundled_models.py --model bert --minutes $(MINUTES) --threads 1 \
		--short-seq-prob 0.1 --out runs/models/shakespeare-bert

corpus: $(VENV)/.installed
	@test -s $(CORPUS) || { mkdir -p data && { cp ../shared/data/tinyshakespeare.txt $(CORPUS) 2>/dev/null || \
		$(BIN)/python -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" \
		$(CORPUS_URL) $(CORPUS) 2>/dev/null || { rm -f $(CORPUS); \
		echo "note: no Shakespeare corpus (offline, no ../shared/data): the Training page will ask for a text file"; }; }; }

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if $(BIN)/python $(REACHABLE) $(TORCH_INDEX) 2>/dev/null; then \
		echo "Installing CPU-only torch from $(TORCH_INDEX)"; \
		$(PIP) $(TORCH_INSTALL); \
	else \
		echo "$(TORCH_INDEX) can't be reached: installing torch from pip's configured indexes and local wheels"; \
		$(PIP) $(TORCH_INSTALL_WITHOUT_INDEX); \
	fi
	$(PIP) $(REQUIREMENTS_INSTALL)
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

# Debian's Chromium drives the browser tests; playwright never downloads a browser of its own.
$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji

$(CJK_FONT):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk

clean:
	rm -rf $(VENV) test-output .pytest_cache
