"""The programs shipped with the package that run inside the sandbox, and the digest that tags
the images: the supervisor (`supervisor.py`, trusted, the same for every language) and the
worker harness of each language (`harness.py`, `harness.js`), which runs learner code."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from .types import Language

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
SUPERVISOR = HARNESS_DIR / "supervisor.py"
_FILES: dict[str, str] = {"python": "harness.py", "javascript": "harness.js"}


def harness_path(language: Language) -> Path:
    """The worker harness of a language."""
    return HARNESS_DIR / _FILES[language]


def sandbox_files(language: Language) -> tuple[Path, ...]:
    """Everything a sandbox for `language` needs: the supervisor and the worker harness."""
    return (SUPERVISOR, harness_path(language))


@cache
def harness_digest(language: Language, dockerfile: bytes) -> str:
    """12 hex digits over the Dockerfile and the programs: a changed harness means a new tag."""
    digest = hashlib.sha256()
    digest.update(dockerfile)
    for path in sandbox_files(language):
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
