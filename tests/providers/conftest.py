"""Shared by the provider hook tests: a provider configured for an in-process emulator."""

from __future__ import annotations

from typing import TypeVar

from pulumi.dynamic import Config, ConfigureRequest

from emulator.testing import EmulatorServer

P = TypeVar("P")


def configure(provider: P, emu: EmulatorServer) -> P:
    """What the engine's `configure()` hands a provider: the stack's `syncro:` config."""
    raw = {
        "syncro:baseUrl": emu.base_url,
        "syncro:apiToken": emu.token,
        "syncro:requestsPerMinute": "6000",
    }
    provider.configure(ConfigureRequest(Config(raw, "syncro-onboarding")))  # type: ignore[attr-defined]
    return provider
