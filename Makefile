# The README's two commands: `make run` and `make test`. Everything else builds on `install`.
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
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
STAGE ?= dev

.PHONY: install run aws test bench admin clean replay-dlq package deploy fuzz load

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x /usr/bin/chromium || { echo "installing Debian's Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -n "$(PYTHON)" || { echo "no Python $(PYTHON_VERSION) found: install it or pass PYTHON=/path/to/python$(PYTHON_VERSION)"; exit 1; }
	@$(PY) -c 'import sys; assert sys.version.startswith("$(PYTHON_VERSION).")' 2>/dev/null || rm -rf $(VENV)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

run: install  ## the local stack: embedded AWS on :4566, the API on :8000
	$(PY) -m devstack run

aws: install  ## only the embedded AWS, provisioned and seeded (then: chalice local --stage local)
	$(PY) -m devstack aws

test: install
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

package: install  ## make package STAGE=prod [ARCH=x86_64]: dist/STAGE/sam.json and deployment.zip (one function per operation)
	$(PY) -m ops.package --stage $(STAGE) $(if $(ARCH),--arch $(ARCH))

deploy: install  ## make deploy STAGE=dev|prod: resources stack, settings, chalice deploy, batch failures on
	$(PY) -m ops.deploy --stage $(STAGE)

replay-dlq: install  ## make replay-dlq STAGE=dev: dead-letter queue back to the notifications queue
	$(PY) -m ops.replay_dlq --stage $(STAGE)
