"""The outermost ASGI layer: what real Syncro does in front of every API request (rate
limit, auth, permissions) plus the emulator's own test hooks (request log, faults).

It is the outermost callable on purpose: a `lost_response` fault must reach the server's
raw transport to drop the connection after the write has committed, which is the
failure mode that makes naive create-retry loops create duplicates.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from emulator.model import NOT_AUTHORIZED

if TYPE_CHECKING:
    from emulator.app import Emulator

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Which surface a request used: the program's public API, the emulator's admin surface
# for UI-only objects (not in strict mode), or the person's surface standing in for the UI.
SURFACES = {"/api/v1": "public", "/_admin/v1": "admin", "/_person/v1": "person"}
BAD_TOKEN = "Not authorized"


CONTROL_PREFIX = "/_emulator"
LOCAL_NAMES = frozenset({"localhost"})


def _is_local_host(host: str) -> bool:
    """An IP literal or `localhost`: a name a DNS-rebinding page cannot point at us."""
    name = host.strip().lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name[1:]
    elif name.count(":") == 1:
        name = name.rsplit(":", 1)[0]
    if name in LOCAL_NAMES:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def foreign_control_request(scope: Scope) -> str | None:
    """Why a control request must be refused, or None.

    The control hooks have no auth (tests and `curl` call them), so a web page the
    developer visits could reach them: a `text/plain` POST needs no CORS preflight.
    Refused: a Host that is not an IP literal or localhost (DNS rebinding), an Origin
    other than the Host itself (including `null`), and `Sec-Fetch-Site: cross-site`."""
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    if host and not _is_local_host(host):
        return f"Host {host!r} is not this emulator"
    origin = headers.get(b"origin")
    if origin is not None:
        value = origin.decode("latin-1").strip()
        parsed = urlsplit(value)
        if value == "null" or parsed.scheme not in ("http", "https") or parsed.netloc != host:
            return f"Origin {value!r} is not this emulator"
    if headers.get(b"sec-fetch-site", b"").decode("latin-1") == "cross-site":
        return "cross-site request"
    return None


def surface_of(path: str) -> str | None:
    """The surface a path belongs to, None for the page and the control hooks."""
    for prefix, surface in SURFACES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return surface
    return None


@dataclass
class FaultRule:
    """One rule of `POST /_emulator/faults`."""

    path: re.Pattern[str]
    method: str
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    latency_ms: int = 0
    lost_response: float = 0.0
    status_5xx: int = 503


@dataclass
class Faults:
    """Seeded random fault injection so a failing test can be replayed exactly."""

    rules: list[FaultRule] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    raw: list[dict[str, Any]] = field(default_factory=list)
    seed: int | None = None

    def pick(self, method: str, path: str) -> tuple[FaultRule | None, str | None]:
        """The first matching rule and the fault it rolls (None: let it through)."""
        for rule in self.rules:
            if rule.method not in ("*", method) or not rule.path.search(path):
                continue
            roll = self.rng.random()
            if roll < rule.rate_429:
                return rule, "rate_429"
            if roll < rule.rate_429 + rule.rate_5xx:
                return rule, "rate_5xx"
            if roll < rule.rate_429 + rule.rate_5xx + rule.lost_response:
                return rule, "lost_response"
            return rule, None
        return None, None


class RateLimiter:
    """Rolling 60-second window per client address, counting admitted requests."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str) -> int | None:
        """None when admitted (and counted), else the seconds until a slot frees up."""
        if self.per_minute <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return max(1, int(60.0 - (now - hits[0]) + 0.999))
            hits.append(now)
            return None

    def reset(self) -> None:
        """Forget every window (a new limit starts fresh)."""
        with self._lock:
            self._hits.clear()


class RequestLog:
    """Every guarded request, secrets masked, in memory and appended to requests.log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[dict[str, Any]] = []
        self._seq = 0
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        """Number and keep an entry; the file gets one JSON line per request."""
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            line = json.dumps(entry, sort_keys=True)
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError:
            pass

    def since(self, seq: int) -> list[dict[str, Any]]:
        """Entries after `seq`."""
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > seq]

    def clear(self) -> None:
        """Forget the entries (sequence numbers keep counting up)."""
        with self._lock:
            self._entries.clear()


def mask_query(raw: str) -> str:
    """The query string with `api_key` values replaced by `***`."""
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    return urlencode([(k, "***" if k == "api_key" else v) for k, v in pairs], safe="[]*,@")


def mask_authorization(value: str | None) -> str | None:
    """`Bearer ***` (or `***` for a raw token): the log never holds a credential."""
    if not value:
        return None
    return "Bearer ***" if value.lower().startswith("bearer ") else "***"


async def _answer(
    send: Send, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class Gate:
    """Outermost ASGI layer: log, rate limit, faults, auth, then the routes."""

    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        surface = surface_of(path) if scope["type"] == "http" else None
        if scope["type"] == "http" and path.startswith(CONTROL_PREFIX):
            refused = foreign_control_request(scope)
            if refused:
                await _answer(send, 403, {"error": f"Forbidden: {refused}"})
                return
        if surface is None:
            await self.app(scope, receive, send)
            return
        emu = self.emu
        method = scope["method"]
        headers = dict(scope.get("headers") or [])
        client = (scope.get("client") or ("unknown", 0))[0]
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": mask_query(scope.get("query_string", b"").decode("latin-1")),
            "status": None,
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "client": client,
            "authorization": mask_authorization(
                headers.get(b"authorization", b"").decode("latin-1") or None
            ),
            "fault": None,
            "surface": surface,
        }

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        try:
            if surface == "person":
                # A person in the web UI: not an API call, so neither rate limited nor
                # faulted; only the person's own credential opens it.
                if emu.authenticate(scope, surface) is None:
                    await _answer(recording, 401, {"error": BAD_TOKEN})
                    return
                scope.setdefault("state", {})["user"] = (1001, True)
                await self.app(scope, receive, recording)
                return
            retry = emu.limiter.check(client)
            if retry is not None:
                limit = emu.limiter.per_minute
                body = {"error": f"Rate limit exceeded. {limit} requests per minute."}
                await _answer(recording, 429, body, {"Retry-After": str(retry)})
                return
            rule, fault = emu.faults.pick(method, path)
            if rule and rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if fault == "rate_429":
                entry["fault"] = fault
                limit = emu.limiter.per_minute or 180
                body = {"error": f"Rate limit exceeded. {limit} requests per minute."}
                await _answer(recording, 429, body, {"Retry-After": "1"})
                return
            if fault == "rate_5xx" and rule:
                entry["fault"] = fault
                await _answer(recording, rule.status_5xx, {"error": "Service Unavailable"})
                return
            who = emu.authenticate(scope, surface)
            if who is None:
                await _answer(recording, 401, {"error": BAD_TOKEN})
                return
            if not who[1] and method not in ("GET", "HEAD"):
                await _answer(recording, 401, {"error": NOT_AUTHORIZED})
                return
            scope.setdefault("state", {})["user"] = who
            if fault == "lost_response":
                entry["fault"] = fault
                await self._lose_response(scope, receive, send, entry)
                return
            await self.app(scope, receive, recording)
        finally:
            emu.log.add(entry)

    async def _lose_response(
        self, scope: Scope, receive: Receive, send: Send, entry: dict[str, Any]
    ) -> None:
        """Run the request to completion (the write commits), then drop the connection."""

        async def swallow(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]

        await self.app(scope, receive, swallow)
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is not None:
            cycle.disconnected = True  # type: ignore[union-attr]
            transport.abort()
            return
        # Not uvicorn: promise a body, send none, fail; the server closes the connection.
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]}
        )
        raise ConnectionAbortedError("lost_response fault")
