"""The harness programs shipped with the package, and the digest that tags the images."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from .types import Language

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
_FILES: dict[str, str] = {"python": "harness.py", "javascript": "harness.js"}


def harness_path(language: Language) -> Path:
    return HARNESS_DIR / _FILES[language]


@cache
def harness_digest(language: Language, dockerfile: bytes) -> str:
    """12 hex digits over the Dockerfile and the harness: a changed harness means a new tag."""
    digest = hashlib.sha256()
    digest.update(dockerfile)
    digest.update(b"\0")
    digest.update(harness_path(language).read_bytes())
    return digest.hexdigest()[:12]
