# Justicia: two commands on a fresh machine.
#   make run   - the whole local system (API, workers, local AWS, HSM, OCR)
#   make test  - lint, type checks and the whole test suite
# Both install what they need first, and are quick when it is already there.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-spa \
	tesseract-ocr-osd softhsm2 opensc poppler-utils

# Never let botocore look for credentials at the cloud's metadata address.
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_SESSION_TOKEN ?= testing
export AWS_DEFAULT_REGION ?= eu-west-3
export AWS_EC2_METADATA_DISABLED := true
export OMP_THREAD_LIMIT ?= 1
export POWERTOOLS_TRACE_DISABLED ?= true

.PHONY: run test lint typecheck unit functional integration deps system-deps bench clean

run: deps
	$(PY) -m devstack

test: deps lint typecheck
	$(PY) -m pytest

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: deps
	$(VENV)/bin/mypy

unit: deps
	$(PY) -m pytest tests/unit

functional: deps
	$(PY) -m pytest tests/functional

integration: deps
	$(PY) -m pytest tests/integration

bench: deps
	$(PY) benchmarks/cold_start.py
	$(PY) benchmarks/ocr_speed.py

deps: system-deps $(STAMP)

system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing=1; \
	command -v softhsm2-util >/dev/null || missing=1; \
	command -v pdftoppm >/dev/null || missing=1; \
	for lang in ara fra spa osd; do \
	  tesseract --list-langs 2>/dev/null | grep -qx $$lang || missing=1; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $(APT_PACKAGES)"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) .state chalice.out cdk.out .pytest_cache .mypy_cache .ruff_cache
