"""Where the bundled content lives: inside the wheel, or at the repository root when the package
is installed in editable mode from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (`content`, `images`)."""
    wheel = _PACKAGE / "_bundled" / name
    if wheel.is_dir():
        return wheel
    return _PACKAGE.parents[1] / name


def bundled_content_dir() -> Path:
    return bundled_dir("content")


def resolve_content_dir(configured: Path | str | None) -> Path:
    return Path(configured).expanduser() if configured else bundled_content_dir()
