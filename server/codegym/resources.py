"""Folders shipped with the package: inside the wheel (`codegym/_bundled/<name>`), or at the
repository root when the package is installed in editable mode from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """`content` or `images`."""
    wheel = _PACKAGE / "_bundled" / name
    if wheel.is_dir():
        return wheel
    return _PACKAGE.parents[1] / name
