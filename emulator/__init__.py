"""A local emulator of the Syncro REST API (plus the UI-only objects Syncro has no API for).

It lets the Pulumi program, its providers and the onboarding SOP be exercised end to end
without a Syncro tenant: `python -m emulator serve`, or `emulator.testing.EmulatorServer`
in tests. See emulator/README.md for the surfaces and the quirks table.
"""
