# The README's two commands: `make run` and `make test`. `run` and `aws` build on `install-run` (the local stack
# only), everything else on `install`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-local.txt requirements-dev.txt | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt requirements-local.txt | sha1sum | cut -c1-12)
STAGE ?= dev

.PHONY: install install-run browser run aws test bench admin clean replay-dlq package deploy deploy-role fuzz load smoke

install: $(STAMP)  ## everything: the local stack, tests, benchmarks, packaging

install-run: $(RUN_STAMP)  ## only what the local stack needs (make run's first install stays short)

$(STAMP): requirements.txt requirements-local.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* $(VENV)/.run-* && touch $@ $(RUN_STAMP)

$(RUN_STAMP): requirements.txt requirements-local.txt
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

run: install-run  ## the local stack: embedded AWS on :4566, the API on :8000
	$(PY) -m devstack run

aws: install-run  ## only the embedded AWS, provisioned and seeded (then: chalice local --stage local)
	$(PY) -m devstack aws

test: install browser
	$(PY) -m ruff check --select F,E9 --quiet app.py chalicelib devstack ops bench tests
	$(PY) -m pytest

fuzz: install  ## schema fuzzing with a larger budget than make test's
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(PY) -m pytest tests/fuzz

load: install  ## a bounded Locust run against the local stack, then the invariants (SECONDS, USERS)
	$(PY) -m bench.load --seconds $${SECONDS:-60} --users $${USERS:-20}

bench: install
	$(PY) -m bench

admin: install  ## make admin EMAIL=someone@example.com STAGE=dev
	$(PY) -m devstack admin --stage $(STAGE) --email "$(EMAIL)"

clean:
	rm -rf $(VENV) dist artifacts .pytest_cache

package: install  ## make package STAGE=prod: dist/STAGE/sam.json and deployment.zip (one function per operation)
	$(PY) -m ops.package --stage $(STAGE)

deploy: install  ## make deploy STAGE=dev|prod: resources stack, settings, chalice deploy, batch failures on
	$(PY) -m ops.deploy --stage $(STAGE)

replay-dlq: install  ## make replay-dlq STAGE=dev: dead-letter queue back to the notifications queue
	$(PY) -m ops.replay_dlq --stage $(STAGE)

smoke: install  ## make smoke URL=https://...: health, catalog, sign-up, an idempotent order, its cancellation
	$(PY) -m ops.smoke --url "$(URL)"

deploy-role: install  ## make deploy-role STAGE=dev|prod REPO=owner/name ACCOUNT=... BUCKET=...: CI's deploy role, as JSON
	$(if $(filter prod,$(STAGE)),$(PY) -m ops.package --stage prod)
	$(PY) -m ops.deploy_role --stage $(STAGE) --repo "$(REPO)" --account "$(ACCOUNT)" --bucket "$(BUCKET)" \
	  --region "$${AWS_DEFAULT_REGION:-us-east-1}"
