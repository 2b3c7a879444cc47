"""Client-side pacing: never more than N requests in any rolling minute.

Syncro counts 180 requests per rolling minute per IP. The pacer keeps the send
times of the last N requests and makes a caller wait until the oldest of them is
a minute old, so the client is bound by the same rule as the server, with the
margin between N (170 by default) and 180 left to latency jitter and to the other
integrations sharing the IP. Thread-safe: the provider process runs several
resource operations at once and they all share one pacer.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Pacer:
    def __init__(
        self,
        requests_per_minute: float,
        *,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.limit = max(int(requests_per_minute), 1)
        self.window = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._not_before = 0.0
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self) -> None:
        """Block until one more request fits in the window, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if now < self._not_before:
                    wait = self._not_before - now
                elif len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                else:
                    wait = self.window - (now - self._sent[0])
            self.waited_seconds += wait
            self._sleep(wait)

    def hold(self, seconds: float) -> None:
        """The server said to wait (Retry-After): every caller of this pacer waits too."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)
