"""structlog to stderr or a file, never stdout (stdout carries JSON-RPC for the server).

Three renderings: JSON lines for a log file (`--log-file`); structlog's console lines (timestamp,
level, fields) on a stderr that is not a terminal, such as an editor's language-server log; and,
for a person running a CLI command on a terminal, plain sentences: `codegym: <event>: <reason>.
<fix>`, where `fix` is the field a warning carries to say what to do about it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

FIX_FIELD = "fix"
"""The log field that says what to do about a warning (shown by the terminal rendering)."""
REASON_FIELDS = ("reason", "error")
"""Fields that say why, shown right after the event by the terminal rendering."""
_NOT_SHOWN = {"event", "level", "timestamp", "logger", "exc_info", "exception", FIX_FIELD}


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured (a
    replaced or closed stream, as under a test runner's capture, must not break logging)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


class PlainRenderer:
    """One plain line per event, for a person at a terminal: no timestamp, no level.

    `codegym: <event>: <reason or error> (<other fields as key=value>). <fix>`; an exception's
    traceback, when there is one, follows on the next lines.
    """

    def __call__(self, logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> str:
        event_dict = structlog.processors.format_exc_info(logger, method, event_dict)
        line = f"codegym: {event_dict.get('event', '')}"
        reasons = [str(event_dict[k]) for k in REASON_FIELDS if event_dict.get(k) is not None]
        if reasons:
            line += ": " + "; ".join(reasons)
        extras = [
            f"{key}={value}"
            for key, value in event_dict.items()
            if key not in _NOT_SHOWN and key not in REASON_FIELDS
        ]
        if extras:
            line += f" ({', '.join(extras)})"
        if fix := event_dict.get(FIX_FIELD):
            line += f"{'' if line.endswith('.') else '.'} {fix}"
        if exception := event_dict.get("exception"):
            line += f"\n{exception}"
        return line


def configure_logging(
    level: str = "WARNING", file: Path | None = None, *, plain_on_terminal: bool = False
) -> None:
    """Log at `level` to `file` (JSON lines) or to stderr. With `plain_on_terminal` (the CLI's
    commands, not the language server), a stderr that is a terminal gets `PlainRenderer` lines."""
    stream: TextIO | _CurrentStderr = file.open("a", encoding="utf-8") if file else _CurrentStderr()
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _renderer(stream, json_lines=file is not None, plain_on_terminal=plain_on_terminal),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )


def _renderer(
    stream: TextIO | _CurrentStderr, *, json_lines: bool, plain_on_terminal: bool
) -> structlog.typing.Processor:
    if json_lines:
        return structlog.processors.JSONRenderer()
    if plain_on_terminal and stream.isatty():
        return PlainRenderer()
    return structlog.dev.ConsoleRenderer(colors=stream.isatty())
