"""Per-host pacing: at most one request per interval to each host, across threads.

>>> import time
>>> limiter = RateLimiter(rate=50)
>>> start = time.monotonic()
>>> [limiter.wait("h") for _ in range(3)]
[True, True, True]
>>> time.monotonic() - start >= 0.039
True
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, stop: threading.Event | None = None) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep, self.stop = clock, sleep, stop

    def slow_down(self, host: str, seconds: float) -> None:
        """A longer interval for one host (robots.txt crawl-delay), from the last request on."""
        with self._lock:
            interval = max(seconds, self.interval)
            self._delays[host] = interval
            if host in self._next:
                self._next[host] += interval - self.interval

    def wait(self, host: str) -> bool:
        """Block until a request to ``host`` may go, and book the slot; False when stopped meanwhile."""
        with self._lock:
            interval = self._delays.get(host, self.interval)
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + interval
        if slot > now:
            if self.stop is not None:
                return not self.stop.wait(slot - now)
            self._sleep(slot - now)
        return self.stop is None or not self.stop.is_set()
