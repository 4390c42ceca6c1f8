"""Where the content comes from: a configured folder, or the one bundled with the package."""

from __future__ import annotations

from pathlib import Path

from ..resources import bundled_dir


def bundled_content_dir() -> Path:
    return bundled_dir("content")


def resolve_content_dir(configured: Path | str | None) -> Path:
    return Path(configured).expanduser() if configured else bundled_content_dir()
