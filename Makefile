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
	tesseract-ocr-osd tesseract-ocr-script-arab softhsm2 opensc poppler-utils openjdk-17-jdk-headless maven \
	chromium fonts-noto-core
WEB_SOURCES := $(shell find web/src web/public web/index.html web/*.json web/*.ts -type f)
SEARCH_NODE_JAR := search-node/target/search-node-1.0.0.jar

# Never let botocore look for credentials at the cloud's metadata address.
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_SESSION_TOKEN ?= testing
export AWS_DEFAULT_REGION ?= eu-west-3
export AWS_EC2_METADATA_DISABLED := true
export OMP_THREAD_LIMIT ?= 1
export POWERTOOLS_TRACE_DISABLED ?= true

.PHONY: run test lint typecheck unit functional integration deps system-deps bench clean \
	search-node web e2e

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

# The web app in Debian's Chromium against a local system started on free ports.
e2e: deps
	$(PY) -m pytest tests/e2e

bench: deps
	$(PY) benchmarks/cold_start.py
	$(PY) benchmarks/ocr_speed.py
	$(PY) benchmarks/arabic_dense.py
	$(PY) benchmarks/signing_speed.py
	$(PY) benchmarks/ocr_memory.py
	$(PY) benchmarks/text_layer_speed.py
	$(PY) benchmarks/scan_20_pages.py

deps: system-deps $(STAMP) search-node web

# The local OpenSearch node: its jars come from Maven Central into ~/.m2.
search-node: $(SEARCH_NODE_JAR)

$(SEARCH_NODE_JAR): search-node/pom.xml $(shell find search-node/src -type f)
	mvn -q -B -Dstyle.color=never -f search-node/pom.xml package
	touch $@

# The court web app: npm ci (never a browser download), then a Vite build.
web: web/dist/index.html

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run build

system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing=1; \
	command -v softhsm2-util >/dev/null || missing=1; \
	command -v pdftoppm >/dev/null || missing=1; \
	command -v java >/dev/null || missing=1; \
	command -v mvn >/dev/null || missing=1; \
	[ -x /usr/bin/chromium ] || missing=1; \
	[ -d /usr/share/fonts/truetype/noto ] || missing=1; \
	for lang in ara fra spa osd Arabic; do \
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

# The operator CLI as a command: .venv/bin/justicia (the code of this checkout).
deps: $(VENV)/bin/justicia

$(VENV)/bin/justicia: $(STAMP)
	printf '#!/bin/sh\nPYTHONPATH="%s$${PYTHONPATH:+:$$PYTHONPATH}" exec "%s" -m cli "$$@"\n' \
		"$(CURDIR)" "$(CURDIR)/$(PY)" > $@
	chmod +x $@

clean:
	rm -rf $(VENV) .state chalice.out cdk.out .pytest_cache .mypy_cache .ruff_cache
	rm -rf search-node/target
	rm -rf web/node_modules web/dist web/screenshots web/test-results
