"""Shared by the provider hook tests: a provider configured for an in-process emulator."""

from __future__ import annotations

from typing import Any, TypeVar

from pulumi.dynamic import Config, ConfigureRequest

from emulator.testing import EmulatorServer
from resources.providers.session import forget_sessions

P = TypeVar("P")


def rule_inputs(**overrides: Any) -> dict[str, Any]:
    """An EmailRule's inputs: CS-0042's rule for all mail from @smithlaw.com."""
    return {
        "client_id": "CS-0042",
        "domain": "smithlaw.com",
        "sender": "@smithlaw.com",
        "subject_filter": None,
        "position": 30,
        "auto_create_contact": True,
        "mailbox": "help@cybersuite.tech",
        "mailbox_id": None,
        **overrides,
    }


def configure(provider: P, emu: EmulatorServer) -> P:
    """What the engine's `configure()` hands a provider: the stack's `syncro:` config.
    Each test's emulator is new, so no cache of an earlier one may answer."""
    if not getattr(emu, "_sessions_forgotten", False):
        forget_sessions()
        emu._sessions_forgotten = True  # type: ignore[attr-defined]
    raw = {
        "syncro:baseUrl": emu.base_url,
        "syncro:apiToken": emu.token,
        "syncro:requestsPerMinute": "6000",
    }
    provider.configure(ConfigureRequest(Config(raw, "syncro-onboarding")))  # type: ignore[attr-defined]
    return provider
