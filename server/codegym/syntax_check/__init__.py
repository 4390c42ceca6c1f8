"""Syntax checks while typing, without a sandbox: Python with `ast.parse` in process, JavaScript
with Node's own parser in a long-lived helper process that compiles and never runs the code."""

from __future__ import annotations

import ast
import asyncio
import itertools
import json
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)
_JS_CHECKER = Path(__file__).with_name("js_check.js")


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based
    column: int  # 0-based
    message: str
    """What the editor shows, e.g. `SyntaxError: '(' was never closed`."""
    error_type: str = "SyntaxError"
    detail: str = ""
    """The parser's words alone, e.g. `'(' was never closed`."""


def python_syntax(text: str, filename: str = "exercise.py") -> SyntaxProblem | None:
    """The first syntax error of a Python source, or None. Never executes anything."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text.removeprefix("\ufeff"), filename=filename)  # an editor's BOM
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = max((exc.offset or 1) - 1, 0)
        kind = type(exc).__name__
        return SyntaxProblem(line, column, f"{kind}: {exc.msg}", kind, exc.msg)
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return SyntaxProblem(1, 0, f"cannot parse: {exc}", "SyntaxError", f"cannot parse: {exc}")
    return None


class JavaScriptSyntax:
    """Node's parser behind a pipe: one request at a time, restarted if it dies."""

    def __init__(self, node: str | None = None) -> None:
        self._node = node or shutil.which("node") or shutil.which("nodejs")
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._ids = itertools.count()

    async def check(self, text: str) -> SyntaxProblem | None:
        if self._node is None:
            return None
        async with self._lock:
            for _attempt in (1, 2):
                try:
                    return await self._ask(text)
                except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                    await self.close()
            log.warning("JavaScript syntax checker unavailable")
            return None

    async def _ask(self, text: str) -> SyntaxProblem | None:
        if self._process is None or self._process.returncode is not None:
            self._process = await asyncio.create_subprocess_exec(
                str(self._node), str(_JS_CHECKER),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=1 << 20,
            )  # fmt: skip
        assert self._process.stdin is not None and self._process.stdout is not None
        request_id = next(self._ids)
        self._process.stdin.write(json.dumps({"id": request_id, "source": text}).encode() + b"\n")
        await self._process.stdin.drain()
        while True:
            answer = json.loads(await asyncio.wait_for(self._process.stdout.readline(), 5))
            if answer.get("id") == request_id:
                break
        if answer.get("ok"):
            return None
        kind, detail = str(answer.get("type") or "SyntaxError"), str(answer.get("detail") or "")
        message = f"{kind}: {detail}"
        return SyntaxProblem(
            int(answer.get("line") or 1), int(answer.get("column") or 0), message, kind, detail
        )

    async def close(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()
        self._process = None
