"""Choose a backend: `docker`, `local`, or `auto` (Docker when an engine and the images are there,
otherwise local, with a warning that names the reason)."""

from __future__ import annotations

import structlog

from ..config import SandboxSettings
from .local import LocalSandbox
from .types import Sandbox, SandboxError

log = structlog.get_logger(__name__)


def open_sandbox(settings: SandboxSettings) -> Sandbox:
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
        "Docker sandbox unavailable, using the local sandbox (weaker isolation)", reason=reason
    )
    return LocalSandbox(settings.local)
