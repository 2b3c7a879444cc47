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

.PHONY: bootstrap venv cli s3-server browser lint test test-fast demo stop emulator preview up refresh destroy runbook confirm deliverables bench clean status status-svg import diagnose sla-report seed

bootstrap: venv cli

venv: .venv/.installed
.venv/.installed: requirements.txt pyproject.toml
	@echo "bootstrap: creating .venv with Python 3.11 and the pinned requirements (about 1 min cold)"
	@command -v python3.11 >/dev/null || { echo "Python 3.11 is required (python3.11 not on PATH)"; exit 1; }
	test -x .venv/bin/python || python3.11 -m venv .venv
	.venv/bin/pip install --quiet "pip>=24.3.1,<26"  # the range the pulumi SDK declares
	.venv/bin/pip install --quiet -r requirements.txt
	.venv/bin/pip install --quiet --no-deps -e .  # the syncro-onboard console script
	touch $@

cli: .pulumi-home/cli-dir
.pulumi-home/cli-dir: requirements.txt scripts/install-pulumi scripts/policy-analyzer-shim
	@mkdir -p .pulumi-home
	scripts/install-pulumi | tail -n 1 > $@.tmp && mv $@.tmp $@
	@echo "bootstrap: pulumi $$($$(cat $@)/pulumi version) in $$(cat $@)"

# MinIO for the shared-backend tests (tests/engine/test_shared_backend.py builds it too).
s3-server:
	scripts/install-s3-server

browser:
	@command -v chromium >/dev/null || { echo "bootstrap: installing Debian's chromium for the page test (about 1 min)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# The suite in parallel (pytest-xdist): workers take tests one at a time from one queue,
# the longest files first (tests/conftest.py); a group (`xdist_group`) stays on one worker.
# Two workers per core, at most 8: an engine test waits about half its time (the
# emulator's latency, the client's pacing and back-off), so one worker per core left 40%
# of the CPU idle (2 cores: 9 min 30 s with 2 workers, 7 min 38 s with 3, 7 min 01 s with
# 4; README "Measured"); beyond 8 the longest test file bounds the run anyway.
# TEST_WORKERS=1 runs it in this process (plain pytest, e.g. with --pdb in ARGS).
TEST_WORKERS ?= $(shell n=$$(nproc); w=$$((2 * n)); [ $$w -gt 8 ] && w=8; echo $$w)
PARALLEL = $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)

test: bootstrap browser lint
	$(ENV) .venv/bin/python -m pytest -q $(PARALLEL) $(ARGS)

test-fast: bootstrap
	$(ENV) .venv/bin/python -m pytest -q -m "not slow" $(PARALLEL) $(ARGS)

clean:
	rm -rf .pulumi .emulator

# --- operating a stack: STACK=local (default, the emulator) or STACK=prod -----------------
# `up` and `demo` write the state once, when the update ends (PULUMI_SKIP_CHECKPOINTS).
# The file backend otherwise rewrites the whole state after every step (6 MB at 200
# customers, twice per create), so a first `up` grew with the square of the customers
# (bench/README.md, "First up at scale"). A run killed mid-way then leaves the state as
# it was before it; the next `make up` makes every object again, and each create finds
# and adopts the one the dead run made (README, "A crash or a cancel mid-run").
# `make up SKIP_CHECKPOINTS=false`: a checkpoint after every step, the engine's default.
SKIP_CHECKPOINTS ?= true
UPDATE = PULUMI_SKIP_CHECKPOINTS=$(SKIP_CHECKPOINTS) pulumi up
# scripts/select-stack selects the stack, points `local` at this checkout's emulator
# (EMULATOR_PORT, scripts/env.sh) and reports pending creates left by a run that never
# finished; `up` and `demo` clear them first (--clear-pending), `refresh` clears them itself.
SELECT = scripts/select-stack $(STACK)

emulator: bootstrap
	scripts/emulator-up

stop:
	scripts/emulator-down

demo: bootstrap
	scripts/emulator-up
	$(ENV) scripts/select-stack local --clear-pending && $(PY) scripts/demo_tenant.py --emulator "$$EMULATOR_URL"
	@echo "demo: pulumi up on stack local (three sample customers; a few seconds)"
	$(ENV) $(UPDATE) --yes --skip-preview --stack local $(POLICY) $(QUIET) --non-interactive
	$(ENV) pulumi stack output --json --stack local > "$$EMULATOR_DIR/outputs.json"
	@echo "demo: end-to-end check: a test email from every customer domain"
	$(ENV) SYNCRO_API_TOKEN="$$(pulumi config get syncro:apiToken --stack local)" $(PY) scripts/verify_onboarding.py --outputs "$$EMULATOR_DIR/outputs.json" --emulator "$$EMULATOR_URL"

preview: bootstrap
	$(ENV) $(SELECT) && pulumi preview --stack $(STACK) $(POLICY) $(QUIET) --non-interactive --diff

up: bootstrap
	$(ENV) $(SELECT) --clear-pending && $(UPDATE) --yes --stack $(STACK) $(POLICY) $(QUIET) --non-interactive
	@$(ENV) echo "runbook: $$(pulumi stack output runbook_waiting --stack $(STACK)) steps wait for a person: runbooks/$(STACK).md (this change: runbooks/$(STACK).changes.md)"

refresh: bootstrap
	$(ENV) $(SELECT) && pulumi refresh --clear-pending-creates --yes --stack $(STACK) $(QUIET) --non-interactive

destroy: bootstrap
	$(ENV) $(SELECT) && pulumi destroy --yes --stack $(STACK) $(QUIET) --non-interactive

# The runbook from the state as it is now (after `make refresh` too) and the
# confirmations file: no program run, no call to Syncro (resources/runbook_state.py).
runbook: bootstrap
	$(ENV) pulumi stack export --stack $(STACK) | $(PY) -m resources.runbook_state --stack $(STACK)

# Record what a person confirmed in Syncro's UI: make confirm STACK=prod ITEM=mailbox@1a2b3c4d
confirm: venv
	$(PY) -m resources.confirmations --stack $(STACK) "$(ITEM)"

# Opens the deliverable tickets due today (README "Deliverables"); ARGS="--dry-run" or
# ARGS="--today YYYY-MM-DD" pass through.
deliverables: bootstrap
	$(ENV) $(PY) -m resources.scheduler --stack $(STACK) $(ARGS)

# --- day two: syncro-onboard (onboard_cli/; README "Day two") ---------------------------
ONBOARD := $(ENV) .venv/bin/syncro-onboard
ACCOUNT_MANAGER ?=
SINCE ?=

status: bootstrap
	$(ONBOARD) status --stack $(STACK) $(if $(CLIENT_ID),$(CLIENT_ID),) $(if $(HTML),--html $(HTML),)

# The README's picture of the status table: after `make demo`, `make status-svg`.
status-svg: bootstrap
	$(ONBOARD) status --stack $(STACK) --svg docs/status.svg > /dev/null

import: bootstrap
	$(ONBOARD) import --stack $(STACK) --out customers $(if $(ACCOUNT_MANAGER),--account-manager $(ACCOUNT_MANAGER),) $(if $(DRY_RUN),--dry-run,)

diagnose: bootstrap
	@test -n "$(SENDER)" || { echo "usage: make diagnose SENDER=jane@smithlaw.com [STACK=prod]"; exit 2; }
	$(ONBOARD) diagnose --stack $(STACK) "$(SENDER)"

sla-report: bootstrap
	$(ONBOARD) sla-report --stack $(STACK) $(if $(SINCE),--since $(SINCE),) $(if $(HTML),--html $(HTML),)

# A tenant full of existing customers for the day-two commands (the emulator's database).
seed: bootstrap
	$(PY) -m emulator seed --db .emulator/syncro.db --customers $(or $(CUSTOMERS),50) --tickets $(or $(TICKETS),300) --seed $(or $(SEED),1)

# Benchmarks against the emulator (bench/README.md): about 30 minutes on 2 idle cores, writes bench/results.json.
bench: bootstrap
	$(ENV) $(PY) bench/run.py
