"""Sandbox images: `images/<lang>/Dockerfile` plus the supervisor and the language's harness,
tagged with their digest.

The build context is made in memory (Dockerfile + harness), so building works against a remote
engine and never sends anything else from the host.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import structlog

from ..config import DockerSettings
from ..resources import bundled_dir
from .harness_files import harness_digest, sandbox_files
from .types import Language, SandboxError

log = structlog.get_logger(__name__)

LANGUAGES: tuple[Language, ...] = ("python", "javascript")
_IMAGE_DIRS: dict[Language, str] = {"python": "python", "javascript": "node"}


@dataclass(frozen=True)
class ImageSpec:
    language: Language
    repository: str
    dockerfile: Path

    @property
    def tag(self) -> str:
        return harness_digest(self.language, self.dockerfile.read_bytes())

    @property
    def reference(self) -> str:
        return f"{self.repository}:{self.tag}"


def image_spec(language: Language, settings: DockerSettings) -> ImageSpec:
    repository = settings.python_image if language == "python" else settings.node_image
    dockerfile = bundled_dir("images") / _IMAGE_DIRS[language] / "Dockerfile"
    if not dockerfile.is_file():
        raise SandboxError(f"sandbox image recipe missing: {dockerfile}")
    return ImageSpec(language, repository, dockerfile)


def image_present(client: docker.DockerClient, spec: ImageSpec) -> bool:
    try:
        client.images.get(spec.reference)
    except docker.errors.ImageNotFound:
        return False
    return True


def _context(spec: ImageSpec) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        files = [("Dockerfile", spec.dockerfile)]
        files += [(path.name, path) for path in sandbox_files(spec.language)]
        for name, path in files:
            data = path.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def build_image(
    client: docker.DockerClient, spec: ImageSpec, base: str | None = None
) -> Iterator[str]:
    """Build one image; yields build log lines. Raises SandboxError on failure."""
    buildargs = {"BASE": base} if base else {}
    log.info("building sandbox image", image=spec.reference, base=base or "default")
    try:
        stream = client.api.build(
            fileobj=_context(spec),
            custom_context=True,
            tag=spec.reference,
            buildargs=buildargs,
            rm=True,
            forcerm=True,
            decode=True,
            labels={"org.codegym.image": spec.language, "org.codegym.harness": spec.tag},
        )
        for chunk in stream:
            if "error" in chunk:
                raise SandboxError(f"building {spec.reference} failed: {chunk['error'].strip()}")
            if text := chunk.get("stream", "").rstrip():
                yield text
    except docker.errors.APIError as exc:
        raise SandboxError(f"building {spec.reference} failed: {exc.explanation or exc}") from exc
    client.images.get(spec.reference).tag(spec.repository, "latest")
