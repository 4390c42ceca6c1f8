"""make.py: `test --quick` and how `practice` puts `codegym` on the learner's PATH."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT


def load_make() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make", ROOT / "make.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make = load_make()


def test_quick_deselects_the_slow_tests_and_passes_the_rest_through() -> None:
    assert make.pytest_arguments(["--quick", "-x", "tests/test_cli.py"]) == [
        "-m",
        "not slow",
        "-x",
        "tests/test_cli.py",
    ]
    assert make.pytest_arguments(["-k", "quick"]) == ["-k", "quick"]


def fake_codegym(directory: Path) -> Path:
    directory.mkdir(parents=True)
    codegym = directory / "codegym"
    codegym.write_text("#!/bin/sh\n")
    codegym.chmod(0o755)
    return codegym


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_nothing_to_say_when_this_codegym_is_on_path(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codegym = fake_codegym(tmp_path / "venv" / "bin")
    monkeypatch.setenv("PATH", f"{codegym.parent}{os.pathsep}/usr/bin")
    assert make.path_advice(codegym) is None


def test_the_export_line_when_not_on_path(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codegym = fake_codegym(tmp_path / "venv" / "bin")
    other = fake_codegym(tmp_path / "other")  # another checkout's: not this one
    monkeypatch.setenv("PATH", f"{other.parent}{os.pathsep}/usr/bin")
    advice = make.path_advice(codegym)
    assert advice is not None
    assert advice.splitlines()[-1] == f'  export PATH="{codegym.parent}:$PATH"'


def test_a_link_in_local_bin_when_it_is_on_path(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codegym = fake_codegym(tmp_path / "venv" / "bin")
    local_bin = home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    monkeypatch.setenv("PATH", f"{local_bin}{os.pathsep}/usr/bin")
    advice = make.path_advice(codegym)
    assert advice is not None
    assert advice.splitlines()[-1] == f"  ln -sf {codegym} {local_bin / 'codegym'}"
    assert not (local_bin / "codegym").exists(), "make.py only says what to run"
