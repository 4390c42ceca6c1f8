"""Settings: defaults, then CODEGYM_* variables, then the editor's settings, key by key."""

from __future__ import annotations

import pytest

from codegym.config import Settings


def test_editor_settings_override_the_environment_key_by_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CODEGYM_POOL_SIZE", "5")
    monkeypatch.setenv("CODEGYM_BACKEND", "docker")
    monkeypatch.setenv("CODEGYM_TUTOR_MODEL", "qwen2.5:3b")
    settings = Settings.from_env(
        sandbox={"backend": "local", "limits": {"wall_s": 7}}, tutor={"enabled": True}
    )
    assert settings.sandbox.backend == "local"  # the editor's value wins
    assert settings.sandbox.docker.pool_size == 5  # the variable survives beside it
    assert settings.sandbox.limits.wall_s == 7
    assert settings.tutor.model == "qwen2.5:3b"


def test_without_overrides_the_environment_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGYM_TUTOR", "off")
    monkeypatch.delenv("CODEGYM_BACKEND", raising=False)
    settings = Settings.from_env()
    assert settings.tutor.enabled is False
    assert settings.sandbox.backend == "auto"
