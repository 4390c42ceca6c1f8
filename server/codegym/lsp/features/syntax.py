"""Syntax errors while typing: Python parsed in process, JavaScript by Node's parser, debounced
per document. A run that found code that does not parse shows its error here too, so one typo is
one diagnostic, not one per test."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ...checker import syntax_failure
from ...content import Problem
from ...grading import SyntaxFailure
from ...syntax_check import JavaScriptSyntax, SyntaxProblem, python_syntax
from ..diagnostics import SOURCE_SYNTAX, syntax_diagnostic
from ..feature import Feature
from ..runs import RunResult
from ..server import GymServer

DEBOUNCE_S = 0.1


class Syntax(Feature):
    def __init__(self, server: GymServer) -> None:
        super().__init__(server)
        self.javascript = JavaScriptSyntax()
        self._checks: dict[str, asyncio.Task[None]] = {}
        server.diagnostics.register(SOURCE_SYNTAX)

    async def failure(self, problem: Problem, source: str) -> SyntaxFailure | None:
        """JavaScript that does not parse, found by Node's parser, is judged without a run.
        (Python is parsed on the host by `check_source` itself.)"""
        if problem.language != "javascript":
            return None
        issue = await self.javascript.check(source)
        return syntax_failure(issue) if issue else None

    async def document_failure(self, uri: str) -> SyntaxFailure | None:
        """The open document's syntax error now, if it has one."""
        document = self.server.workspace.text_documents.get(uri)
        if document is None:
            return None
        issue = await self._issue(uri, document.source)
        return syntax_failure(issue) if issue else None

    def opened(self, uri: str) -> None:
        self._schedule(uri)

    def changed(self, uri: str) -> None:
        self._schedule(uri)

    def closed(self, uri: str) -> None:
        check = self._checks.pop(uri, None)
        if check is not None:
            check.cancel()

    def judged(self, result: RunResult) -> None:
        failure = result.verdict.syntax
        if failure is not None:
            self.server.diagnostics.set(
                result.uri,
                SOURCE_SYNTAX,
                [
                    syntax_diagnostic(
                        failure.line or 1,
                        failure.column or 0,
                        f"{failure.error_type}: {failure.message}",
                        result.source,
                    )
                ],
            )

    async def _issue(self, uri: str, text: str) -> SyntaxProblem | None:
        problem = self.server.problem_of(text)
        language = problem.language if problem else _language_of(uri)
        if language == "python":
            return python_syntax(text)
        if language == "javascript":
            return await self.javascript.check(text)
        return None

    async def close(self) -> None:
        for check in self._checks.values():
            check.cancel()
        await self.javascript.close()

    def _schedule(self, uri: str) -> None:
        previous = self._checks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self._checks[uri] = asyncio.get_running_loop().create_task(self._check(uri))

    async def _check(self, uri: str) -> None:
        await asyncio.sleep(DEBOUNCE_S)
        document = self.server.workspace.text_documents.get(uri)
        if document is None:
            return
        text = document.source
        issue = await self._issue(uri, text)
        if self.server.workspace.text_documents.get(uri) is not document:
            return  # closed meanwhile
        found = [syntax_diagnostic(issue.line, issue.column, issue.message, text)] if issue else []
        if self.server.diagnostics.set(uri, SOURCE_SYNTAX, found):
            self.server.diagnostics.sync(uri, document.version)


def _language_of(uri: str) -> str | None:
    return {".py": "python", ".js": "javascript"}.get(Path(uri).suffix)
