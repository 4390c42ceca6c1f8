"""structlog to stderr or a file, never stdout (stdout carries JSON-RPC for the server)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import structlog


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written, not when logging was configured (a
    replaced or closed stream, as under a test runner's capture, must not break logging)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(level: str = "WARNING", file: Path | None = None) -> None:
    stream: TextIO | _CurrentStderr = file.open("a", encoding="utf-8") if file else _CurrentStderr()
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.WARNING
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if file
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
