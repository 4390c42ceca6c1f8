"""A warm pool of pre-started sandboxes, each used by one run at a time.

A background thread keeps `size` items started and waiting (or, with `count_busy`, `size` items
alive, waiting or in use: items that serve many runs come back, and a refill for each one taken
would only start items nobody needs); when the pool is empty a run creates its own (the cold
path). After a run an item is either released (it can serve another run: it
goes back on top: the most recently used serves next) or
discarded, disposed of by a background thread, off the hot path. At most `max_idle` items wait.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

import structlog

log = structlog.get_logger(__name__)

T = TypeVar("T")


class Disposer:
    """Runs clean-up calls in the background (one thread shared by all pools)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="codegym-disposer", daemon=True)
        self._thread.start()

    def submit(self, action: Callable[[], None]) -> None:
        self._queue.put(action)

    def _loop(self) -> None:
        while (action := self._queue.get()) is not None:
            try:
                action()
            except Exception as exc:  # the engine may be gone; never kill the thread
                log.warning("sandbox clean-up failed", error=str(exc))

    def close(self, timeout: float = 30) -> None:
        """Finish every queued clean-up, then stop."""
        self._queue.put(None)
        self._thread.join(timeout)


class WarmPool(Generic[T]):
    def __init__(
        self,
        name: str,
        size: int,
        create: Callable[[], T],
        dispose: Callable[[T], None],
        disposer: Disposer,
        max_idle: int | None = None,
        count_busy: bool = False,
    ) -> None:
        self.name = name
        self.size = size
        self._create = create
        self._dispose = dispose
        self._disposer = disposer
        self.max_idle = max(size, 1) * 2 if max_idle is None else max_idle
        self.count_busy = count_busy
        self._ready: deque[T] = deque()
        self._busy = 0  # items acquired and not yet released or discarded
        self._wanted = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if size > 0:
            self._thread = threading.Thread(
                target=self._refill, name=f"codegym-pool-{name}", daemon=True
            )
            self._thread.start()

    def acquire(self) -> T:
        """A started item no run is using. Never waits for the refill thread."""
        with self._wanted:
            item = self._ready.pop() if self._ready else None
            self._busy += 1
            self._wanted.notify()
        if item is None:
            log.debug("pool empty, cold start", pool=self.name)
            try:
                item = self._create()
            except BaseException:
                with self._wanted:
                    self._busy -= 1
                raise
        return item

    def release(self, item: T) -> None:
        """Put an item that may serve another run back on top (or dispose of it, when the
        pool is closed or `max_idle` items already wait)."""
        with self._wanted:
            if not self._closed and len(self._ready) < self.max_idle:
                self._busy = max(0, self._busy - 1)
                self._ready.append(item)
                return
        self.discard(item)

    def discard(self, item: T) -> None:
        """Dispose of an item a run acquired, in the background (the refill replaces it)."""
        with self._wanted:
            self._busy = max(0, self._busy - 1)
            self._wanted.notify()
        self._dispose_later(item)

    def _dispose_later(self, item: T) -> None:
        self._disposer.submit(lambda: self._dispose(item))

    def _missing(self) -> int:
        alive = len(self._ready) + (self._busy if self.count_busy else 0)
        return max(0, self.size - alive)

    @property
    def idle(self) -> int:
        with self._wanted:
            return len(self._ready)

    @property
    def missing(self) -> int:
        """How many items the refill thread is starting, or about to."""
        with self._wanted:
            return self._missing()

    def _refill(self) -> None:
        failures = 0
        while True:
            with self._wanted:
                while not self._closed and not self._missing():
                    self._wanted.wait()
                if self._closed:
                    return
            try:
                item = self._create()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("pool refill failed", pool=self.name, error=str(exc))
                with self._wanted:
                    self._wanted.wait(timeout=min(30.0, 0.5 * 2**failures))
                continue
            with self._wanted:
                if self._closed:
                    self._dispose_later(item)
                    return
                self._ready.appendleft(item)  # below the used ones: they go first

    def close(self) -> None:
        with self._wanted:
            self._closed = True
            self._wanted.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._wanted:
            left = list(self._ready)
            self._ready.clear()
        for item in left:
            self._dispose_later(item)
