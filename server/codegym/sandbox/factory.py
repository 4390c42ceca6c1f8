"""Choose a backend: `docker`, `local`, or `auto` (Docker when an engine and the images are there,
otherwise local, with a warning that names the reason), behind its engine's admission queue."""

from __future__ import annotations

import hashlib
import os

import structlog

from ..config import SandboxSettings
from .admission import EngineQueue, QueuedSandbox
from .local import LocalSandbox
from .types import Sandbox, SandboxError

log = structlog.get_logger(__name__)


def open_sandbox(settings: SandboxSettings) -> Sandbox:
    """The backend the settings ask for, whose runs wait their turn in the queue of its engine
    (shared by every Code Gym process of the machine)."""
    sandbox = _open_backend(settings)
    if sandbox.name == "docker":
        engine = str(sandbox.client.api.base_url)  # type: ignore[attr-defined]
        slots = settings.queue.slots or sandbox.engine_cpus()  # type: ignore[attr-defined]
    else:
        engine, slots = "local", settings.queue.slots or os.cpu_count() or 1
    key = f"{sandbox.name}-{hashlib.sha256(engine.encode()).hexdigest()[:12]}"
    directory = settings.queue.resolved_directory()
    try:
        if settings.queue.directory is None:
            _private_directory(directory.parent)
        queue = EngineQueue(directory / key, slots)
    except OSError as exc:
        sandbox.close()
        raise SandboxError(f"cannot make the sandbox queue in {directory}: {exc}") from exc
    return QueuedSandbox(sandbox, queue)


def _private_directory(path: os.PathLike[str] | str) -> None:
    """Make `path` (mode 0700) unless it exists, and refuse one that another user owns: the
    queue's lock files must not be in someone else's hands."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    owner = os.stat(path).st_uid
    if owner not in (os.geteuid(), 0):
        raise PermissionError(f"{path} belongs to uid {owner}")


def _open_backend(settings: SandboxSettings) -> Sandbox:
    if settings.backend == "local":
        return LocalSandbox(settings.local)
    try:
        from .docker_backend import DockerSandbox

        sandbox = DockerSandbox(settings.docker)
        if settings.backend == "docker" or sandbox.images_ready():
            return sandbox
        sandbox.close()
        reason = "the sandbox images are not built (run `codegym images build`)"
    except SandboxError as exc:
        if settings.backend == "docker":
            raise
        reason = str(exc)
    log.warning(
        "Docker sandbox unavailable, using the local sandbox (weaker isolation)",
        reason=reason,
        fix="To run tests in Docker, start the Docker engine and build the images: "
        "codegym images build.",
    )
    return LocalSandbox(settings.local)
