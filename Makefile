# Two commands for a new user: `make demo` and `make test`. Everything they need
# (virtualenv, Pulumi CLI, Chromium for the page test) is installed from here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
STACK ?= local
ENV := source scripts/env.sh &&
PY := .venv/bin/python
POLICY := --policy-pack policies
# The runbook is a stack output hundreds of lines long: `make runbook` writes it to a file.
QUIET := --suppress-outputs
export STACK

.PHONY: bootstrap venv cli browser lint test test-fast demo stop emulator preview up refresh destroy runbook confirm bench clean

bootstrap: venv cli

venv: .venv/.installed
.venv/.installed: requirements.txt
	@echo "bootstrap: creating .venv with Python 3.11 and the pinned requirements (about 1 min cold)"
	@command -v python3.11 >/dev/null || { echo "Python 3.11 is required (python3.11 not on PATH)"; exit 1; }
	test -x .venv/bin/python || python3.11 -m venv .venv
	.venv/bin/pip install --quiet "pip>=24.3.1,<26"  # the range the pulumi SDK declares
	.venv/bin/pip install --quiet -r requirements.txt
	touch $@

cli: .pulumi-home/cli-dir
.pulumi-home/cli-dir: requirements.txt scripts/install-pulumi
	@mkdir -p .pulumi-home
	scripts/install-pulumi | tail -n 1 > $@.tmp && mv $@.tmp $@
	@echo "bootstrap: pulumi $$($$(cat $@)/pulumi version) in $$(cat $@)"

browser:
	@command -v chromium >/dev/null || { echo "bootstrap: installing Debian's chromium for the page test (about 1 min)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

test: bootstrap browser lint
	$(ENV) .venv/bin/python -m pytest -q

test-fast: bootstrap
	$(ENV) .venv/bin/python -m pytest -q -m "not slow"

clean:
	rm -rf .pulumi .emulator

# --- operating a stack: STACK=local (default, the emulator) or STACK=prod -----------------
PULUMI_STACK := pulumi stack select --create $(STACK) --non-interactive >/dev/null &&

emulator: bootstrap
	scripts/emulator-up

stop:
	scripts/emulator-down

demo: bootstrap
	scripts/emulator-up
	@echo "demo: pulumi up on stack local (three sample customers; a few seconds)"
	$(ENV) $(PULUMI_STACK) pulumi up --yes --skip-preview --stack local $(POLICY) $(QUIET) --non-interactive
	$(ENV) pulumi stack output --json --stack local > .emulator/outputs.json
	@echo "demo: end-to-end check: a test email from every customer domain"
	$(PY) scripts/verify_onboarding.py --outputs .emulator/outputs.json

preview: bootstrap
	$(ENV) $(PULUMI_STACK) pulumi preview --stack $(STACK) $(POLICY) $(QUIET) --non-interactive --diff

up: bootstrap
	$(ENV) $(PULUMI_STACK) pulumi up --yes --stack $(STACK) $(POLICY) $(QUIET) --non-interactive
	@$(ENV) echo "runbook: $$(pulumi stack output runbook_waiting --stack $(STACK)) steps wait for a person: runbooks/$(STACK).md (this change: runbooks/$(STACK).changes.md)"

refresh: bootstrap
	$(ENV) $(PULUMI_STACK) pulumi refresh --yes --stack $(STACK) $(QUIET) --non-interactive

destroy: bootstrap
	$(ENV) $(PULUMI_STACK) pulumi destroy --yes --stack $(STACK) $(QUIET) --non-interactive

# The runbook from the state as it is now (after `make refresh` too) and the
# confirmations file: no program run, no call to Syncro (resources/runbook_state.py).
runbook: bootstrap
	$(ENV) pulumi stack export --stack $(STACK) | $(PY) -m resources.runbook_state --stack $(STACK)

# Record what a person confirmed in Syncro's UI: make confirm STACK=prod ITEM=mailbox@1a2b3c4d
confirm: venv
	$(PY) -m resources.confirmations --stack $(STACK) "$(ITEM)"

# Benchmarks against the emulator (bench/README.md): about 11 minutes on 2 idle cores, writes bench/results.json.
bench: bootstrap
	$(ENV) $(PY) bench/run.py
