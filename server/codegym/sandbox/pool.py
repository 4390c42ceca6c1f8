"""A warm pool of pre-started sandbox containers.

Each container serves exactly one run, then is removed off the hot path. A background thread keeps
`size` containers started and waiting; when the pool is empty a run creates its own (the cold path).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import docker.errors
import structlog
from docker.models.containers import Container

log = structlog.get_logger(__name__)


class Remover:
    """Removes used containers in the background (one thread shared by all pools)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Container | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="codegym-remover", daemon=True)
        self._thread.start()

    def remove(self, container: Container) -> None:
        self._queue.put(container)

    def _loop(self) -> None:
        while (container := self._queue.get()) is not None:
            try:
                container.remove(force=True, v=True)
            except docker.errors.NotFound:
                pass
            except Exception as exc:  # the engine may be gone; never kill the thread
                log.warning(
                    "could not remove sandbox container", id=container.short_id, error=str(exc)
                )
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def close(self, timeout: float = 30) -> None:
        self._queue.put(None)
        self._thread.join(timeout)


class ContainerPool:
    def __init__(
        self,
        name: str,
        size: int,
        create: Callable[[], Container],
        remover: Remover,
    ) -> None:
        self.name = name
        self.size = size
        self._create = create
        self._remover = remover
        self._ready: queue.Queue[Container] = queue.Queue()
        self._wanted = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if size > 0:
            self._thread = threading.Thread(
                target=self._refill, name=f"codegym-pool-{name}", daemon=True
            )
            self._thread.start()

    def acquire(self) -> Container:
        """A started container nobody else has used. Never blocks on the refill thread."""
        try:
            container = self._ready.get_nowait()
        except queue.Empty:
            log.debug("pool empty, cold start", pool=self.name)
            container = self._create()
        with self._wanted:
            self._wanted.notify()
        return container

    def discard(self, container: Container) -> None:
        self._remover.remove(container)

    def _refill(self) -> None:
        failures = 0
        while True:
            with self._wanted:
                while not self._closed and self._ready.qsize() >= self.size:
                    self._wanted.wait()
                if self._closed:
                    return
            try:
                container = self._create()
                failures = 0
            except Exception as exc:
                failures += 1
                log.warning("pool refill failed", pool=self.name, error=str(exc))
                with self._wanted:
                    self._wanted.wait(timeout=min(30.0, 0.5 * 2**failures))
                continue
            with self._wanted:
                if self._closed:
                    self._remover.remove(container)
                    return
                self._ready.put(container)

    def close(self) -> None:
        with self._wanted:
            self._closed = True
            self._wanted.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        while True:
            try:
                self._remover.remove(self._ready.get_nowait())
            except queue.Empty:
                break
