"""Every feature's diagnostics, keyed by (uri, source), published together: a document's
diagnostics are one `publishDiagnostics` that replaces the last, so a feature that changes its own
must not drop another's. Sources are published in the order they were registered."""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

Publish = Callable[[types.PublishDiagnosticsParams], None]


class DiagnosticsStore:
    def __init__(self, publish: Publish) -> None:
        self._publish = publish
        self._sources: list[str] = []
        self._by_uri: dict[str, dict[str, list[types.Diagnostic]]] = {}

    def register(self, source: str) -> None:
        """A feature's source; its diagnostics come after those of sources registered before."""
        if source not in self._sources:
            self._sources.append(source)

    def get(self, uri: str, source: str) -> list[types.Diagnostic]:
        return self._by_uri.get(uri, {}).get(source, [])

    def set(self, uri: str, source: str, diagnostics: list[types.Diagnostic]) -> bool:
        """Replace one source's diagnostics of a document; True if they changed (then `sync`)."""
        if source not in self._sources:
            raise KeyError(f"diagnostics source {source!r} was never registered")
        current = self._by_uri.setdefault(uri, {})
        if current.get(source, []) == diagnostics:
            return False
        current[source] = diagnostics
        return True

    def sync(self, uri: str, version: int | None = None) -> None:
        """Publish the document's diagnostics of every source, as of `version`."""
        current = self._by_uri.get(uri, {})
        diagnostics = [d for source in self._sources for d in current.get(source, [])]
        self._publish(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def forget(self, uri: str) -> None:
        """The document was closed: its diagnostics are no longer kept (nothing is published)."""
        self._by_uri.pop(uri, None)
