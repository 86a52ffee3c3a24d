# The README's two commands: `make run` and `make test`. `run` and `aws` build on `install-run` (the local stack
# only), everything else on `install`.
SHELL := /bin/bash
# One Python for the Lambda runtime (Chalice names it after the Python that runs it), the zip's bytecode, the .venv
# and the tests. PYTHON is the first interpreter of that version that really runs (pyenv's shims answer for
# versions they do not serve); a .venv of another version is made again.
PYTHON_VERSION := 3.13
PYTHON ?= $(shell for p in python$(PYTHON_VERSION) $(HOME)/.pyenv/versions/$(PYTHON_VERSION).*/bin/python$(PYTHON_VERSION) \
	/usr/local/bin/python$(PYTHON_VERSION) /usr/bin/python$(PYTHON_VERSION); do \
	"$$p" -c 'import sys; assert sys.version.startswith("$(PYTHON_VERSION).")' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)-$(shell cat requirements.txt requirements-local.txt requirements-dev.txt | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(PYTHON_VERSION)-$(shell cat requirements.txt requirements-local.txt | sha1sum | cut -c1-12)
# PYTHON must be the runtime's version, whoever chose it (a .venv of 3.11 stamped 3.13 would test another
# Python than Lambda runs); a .venv of another Python is made again
CHECK_PYTHON := @found=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	test "$$found" = "$(PYTHON_VERSION)" || { \
	  if [ -z "$(PYTHON)" ]; then why="no Python $(PYTHON_VERSION) found"; \
	  elif [ -z "$$found" ]; then why="PYTHON=$(PYTHON) does not run"; \
	  else why="PYTHON=$(PYTHON) is Python $$found, not $(PYTHON_VERSION) (the Lambda runtime's)"; fi; \
	  echo "$$why: install Python $(PYTHON_VERSION) or pass PYTHON=/path/to/python$(PYTHON_VERSION)" >&2; exit 1; }
SAME_PYTHON := @$(PY) -c 'import sys; assert sys.version.startswith("$(PYTHON_VERSION).")' 2>/dev/null || rm -rf $(VENV)
STAGE ?= dev

.PHONY: python install install-run browser run aws local test check bench admin clean replay-dlq package deploy deploy-role fuzz load smoke

install: $(STAMP)  ## everything: the local stack, tests, benchmarks, packaging

install-run: $(RUN_STAMP)  ## only what the local stack needs (make run's first install stays short)

# checked on every run, not only when .venv is made: a PYTHON of another version is refused, never ignored
python:
	$(CHECK_PYTHON)

$(STAMP): requirements.txt requirements-local.txt requirements-dev.txt | python
	$(SAME_PYTHON)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip<26.3"  # chalice 1.34 asks for pip < 26.3
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* $(VENV)/.run-* && touch $@ $(RUN_STAMP)

$(RUN_STAMP): requirements.txt requirements-local.txt | python
	$(SAME_PYTHON)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements-local.txt
	rm -f $(VENV)/.run-* && touch $@

# Only the browser tests need a browser. CHROMIUM=playwright (as CI says) installs Playwright's own; otherwise one
# that is there serves (Playwright's, else the system's), and a missing one comes from Debian's packages on Debian,
# from Playwright elsewhere.
browser: install  ## a Chromium for the browser tests
	@if [ "$(CHROMIUM)" = playwright ]; then $(PY) -m playwright install --with-deps chromium; \
	elif ! $(PY) -m tests.browser.chromium >/dev/null 2>&1; then \
	  if grep -qx 'ID=debian' /etc/os-release 2>/dev/null; then echo "installing Debian's Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else $(PY) -m playwright install --with-deps chromium; fi; fi

# the ports a command opens are checked first, before anything is installed (devstack/ports.py: standard library)
ports-%: | python
	@$(PYTHON) -m devstack.ports $*

run: ports-run install-run  ## the local stack: the API on :8000, embedded AWS on :4566, Stripe on :8420
	$(PY) -m devstack run

aws: ports-aws install-run  ## the embedded AWS and Stripe, provisioned and seeded, and the event pump (then: make local)
	$(PY) -m devstack aws

local: ports-local install-run  ## the API alone on Chalice's local server, against `make aws` (same ports)
	$(PY) -m devstack local

CODE := app.py chalicelib devstack ops bench tests
# pyflakes, syntax errors and one statement per line; the formatter's check (ruff.toml: 100 columns)
LINT := $(PY) -m ruff check --select F,E9,E701,E702,E703 --quiet $(CODE)
FORMAT := $(PY) -m ruff format --check --quiet $(CODE)
COMPLEXITY := $(PY) -m ruff check --select C901 --quiet chalicelib

test: install browser  ## everything CI runs (about 7 minutes on 2 cores)
	$(LINT)
	$(FORMAT)
	$(COMPLEXITY)
	$(PY) -m mypy
	$(PY) -m pytest

check: install  ## the inner loop: lint, unit and contract tests (15 to 17 seconds on 2 cores)
	$(LINT)
	$(FORMAT)
	$(COMPLEXITY)
	$(PY) -m pytest tests/unit tests/contract

fuzz: install  ## schema fuzzing with a larger budget than make test's
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(PY) -m pytest tests/fuzz

# SECONDS and USERS are make variables (make load SECONDS=30): bash's own $SECONDS counts the shell's age
load: install  ## a bounded Locust run against the local stack, then the invariants (SECONDS, USERS)
	$(PY) -m bench.load --seconds $(or $(SECONDS),60) --users $(or $(USERS),20)

bench: install  ## cold start, DynamoDB calls per operation, memory, partition heat; each step as it runs
	$(PY) -m bench

admin: install  ## make admin EMAIL=someone@example.com STAGE=dev
	$(PY) -m devstack admin --stage $(STAGE) --email "$(EMAIL)"

clean:
	rm -rf $(VENV) dist artifacts .pytest_cache

package: install  ## make package STAGE=prod [ARCH=x86_64]: dist/STAGE/sam.json and deployment.zip (one function per operation)
	$(PY) -m ops.package --stage $(STAGE) $(if $(ARCH),--arch $(ARCH))

deploy: install  ## make deploy STAGE=dev|prod: resources stack, settings, chalice deploy, batch failures on
	$(PY) -m ops.deploy --stage $(STAGE)

replay-dlq: install  ## make replay-dlq STAGE=dev [QUEUE=reservation-checks]: a dead-letter queue back to its queue
	$(PY) -m ops.replay_dlq --stage $(STAGE) --queue $(or $(QUEUE),notifications)

smoke: install  ## make smoke URL=https://...: health, catalog, sign-up, an idempotent order, its cancellation
	$(PY) -m ops.smoke --url "$(URL)"

deploy-role: install  ## make deploy-role STAGE=dev|prod REPO=owner/name ACCOUNT=... BUCKET=...: CI's deploy role, as JSON
	$(if $(filter prod,$(STAGE)),$(PY) -m ops.package --stage prod)
	$(PY) -m ops.deploy_role --stage $(STAGE) --repo "$(REPO)" --account "$(ACCOUNT)" --bucket "$(BUCKET)" \
	  --region "$${AWS_DEFAULT_REGION:-us-east-1}"
