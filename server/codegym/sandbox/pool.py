"""A warm pool of pre-started sandboxes, each used by one run at a time.

A background thread keeps `size` items started and waiting; when the pool is empty a run creates
its own (the cold path). After a run an item is either released (it can serve another run: it
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
    ) -> None:
        self.name = name
        self.size = size
        self._create = create
        self._dispose = dispose
        self._disposer = disposer
        self.max_idle = max(size, 1) * 2 if max_idle is None else max_idle
        self._ready: deque[T] = deque()
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
            self._wanted.notify()
        if item is None:
            log.debug("pool empty, cold start", pool=self.name)
            item = self._create()
        return item

    def release(self, item: T) -> None:
        """Put an item that may serve another run back on top (or dispose of it, when the
        pool is closed or `max_idle` items already wait)."""
        with self._wanted:
            if not self._closed and len(self._ready) < self.max_idle:
                self._ready.append(item)
                return
        self.discard(item)

    def discard(self, item: T) -> None:
        """Dispose of a used item in the background."""
        self._disposer.submit(lambda: self._dispose(item))

    @property
    def idle(self) -> int:
        with self._wanted:
            return len(self._ready)

    def _refill(self) -> None:
        failures = 0
        while True:
            with self._wanted:
                while not self._closed and len(self._ready) >= self.size:
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
                    self.discard(item)
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
            self.discard(item)
