"""uvicorn wiring shared by the CLI and `EmulatorServer`.

uvicorn's sockets are created without `IPPROTO_TCP`, so asyncio never turns on
TCP_NODELAY for accepted connections; on a kept-alive connection the response body then
waits ~40 ms for the client's delayed ACK (Nagle). The protocol below sets the option on
every connection, which is what makes the emulator answer in about a millisecond.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY on each accepted connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def make_config(app: Any, **options: Any) -> uvicorn.Config:
    """A quiet uvicorn config for the emulator's ASGI app."""
    return uvicorn.Config(
        app,
        http=NoDelayH11Protocol,
        loop="asyncio",
        lifespan="off",
        log_level="warning",
        access_log=False,
        **options,
    )


class EmulatorUvicorn(uvicorn.Server):
    """A uvicorn server with hooks at "accepting requests" and "stopped".

    uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, so code placed after
    `run()` never executes under `kill`; the stop hook runs inside the shutdown instead,
    which is where the CLI closes (and checkpoints) the database.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        on_ready: Callable[[], None] | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self._on_stop = on_stop

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start listening, then announce readiness (only if the bind worked)."""
        await super().startup(sockets=sockets)
        if self.started and self._on_ready is not None:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Drain connections, then release what the emulator holds."""
        await super().shutdown(sockets=sockets)
        if self._on_stop is not None:
            self._on_stop()
