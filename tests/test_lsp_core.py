"""The LSP core on its own: the diagnostics store, the feature registry, and the layering (the
core imports no feature, and nothing of the tutor)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from lsprotocol import types
from pygls.protocol.language_server import _prepare_command_arguments

from codegym.lsp.diagnostics_store import DiagnosticsStore
from codegym.lsp.feature import Feature
from codegym.lsp.server import GymServer


def diagnostic(message: str, source: str) -> types.Diagnostic:
    start = types.Position(line=0, character=0)
    return types.Diagnostic(
        range=types.Range(start=start, end=start), message=message, source=source
    )


def test_a_document_s_diagnostics_are_published_together_in_source_order() -> None:
    published: list[types.PublishDiagnosticsParams] = []
    store = DiagnosticsStore(published.append)
    store.register("syntax")
    store.register("tests")
    assert store.set("file:///a.py", "tests", [diagnostic("wrong", "tests")])
    assert store.set("file:///a.py", "syntax", [diagnostic("typo", "syntax")])
    store.sync("file:///a.py", 7)
    [params] = published
    assert (params.uri, params.version) == ("file:///a.py", 7)
    assert [d.message for d in params.diagnostics] == ["typo", "wrong"]
    # One source changing keeps the other's.
    assert store.set("file:///a.py", "syntax", [])
    store.sync("file:///a.py", 8)
    assert [d.message for d in published[-1].diagnostics] == ["wrong"]


def test_setting_the_same_diagnostics_again_is_no_change() -> None:
    store = DiagnosticsStore(lambda params: None)
    store.register("tests")
    assert store.set("file:///a.py", "tests", [diagnostic("wrong", "tests")])
    assert not store.set("file:///a.py", "tests", [diagnostic("wrong", "tests")])
    assert not store.set("file:///b.py", "tests", [])


def test_a_closed_document_s_diagnostics_are_forgotten_and_unknown_sources_refused() -> None:
    store = DiagnosticsStore(lambda params: None)
    store.register("tests")
    store.set("file:///a.py", "tests", [diagnostic("wrong", "tests")])
    store.forget("file:///a.py")
    assert store.get("file:///a.py", "tests") == []
    with pytest.raises(KeyError, match="never registered"):
        store.set("file:///a.py", "review", [])


class Counter(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self.opened_uris: list[str] = []
        server.add_command("test.count", self.count)

    def opened(self, uri: str) -> None:
        self.opened_uris.append(uri)

    def count(self, uri: str, *rest: Any) -> int:
        return len(rest)


class Absent(Feature):
    """A feature no server here has."""


def test_features_are_found_by_type_and_their_methods_take_command_arguments() -> None:
    server = GymServer()
    counter = server.add_feature(Counter)
    assert server.get_feature(Counter) is counter
    with pytest.raises(LookupError):
        server.get_feature(Absent)
    handler = server.protocol.fm.commands["test.count"]
    params = types.ExecuteCommandParams(command="test.count", arguments=["file:///a.py", 1, 2])
    args, kwargs = _prepare_command_arguments(handler, params, server.protocol._converter)
    assert handler(*args, **kwargs) == 2


def test_the_core_imports_no_feature_and_nothing_of_the_tutor() -> None:
    probe = (
        "import json, sys\n"
        "import codegym.lsp.server, codegym.lsp.handlers\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('codegym'))))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    modules = json.loads(found.stdout)
    assert "codegym.lsp.server" in modules
    assert not [m for m in modules if m.startswith(("codegym.lsp.features", "codegym.tutor"))]
