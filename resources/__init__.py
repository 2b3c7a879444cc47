"""The onboarding program's own code.

Pure layers (no HTTP, no Pulumi), importable by the policy pack and the fast tests:
`catalog` (what each tier promises), `spec` (the customer file contract), `domain`
(spec -> plans of Syncro objects) and `runbook` (the UI steps for objects Syncro's
API lacks). The Pulumi side is `components` and `providers/`; the HTTP client is
`syncro/`.
"""
