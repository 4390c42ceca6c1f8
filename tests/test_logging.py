"""Log rendering: plain sentences for a person at a terminal, structlog's lines for an editor's
log, JSON lines for a log file."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog

from codegym.cli import main
from codegym.logging_setup import PlainRenderer, configure_logging


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@contextmanager
def stderr(stream: io.StringIO) -> Iterator[io.StringIO]:
    """`stream` as sys.stderr (set in the test's body: pytest's capture replaces it between a
    fixture and the test), then the logging of tests/conftest.py back."""
    saved, sys.stderr = sys.stderr, stream
    try:
        yield stream
    finally:
        sys.stderr = saved
        configure_logging("WARNING")


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)  # without colours


def render(**event: object) -> str:
    return PlainRenderer()(None, "warning", {"level": "warning", "timestamp": "T", **event})


def test_plain_line_has_the_event_its_reason_and_its_fix() -> None:
    line = render(
        event="Docker sandbox unavailable, using the local sandbox (weaker isolation)",
        reason="no Docker engine reachable",
        fix="To isolate runs: start Docker, or install bubblewrap (apt install bubblewrap).",
    )
    assert line == (
        "codegym: Docker sandbox unavailable, using the local sandbox (weaker isolation): no "
        "Docker engine reachable. To isolate runs: start Docker, or install bubblewrap (apt "
        "install bubblewrap)."
    )


def test_plain_line_without_fix_keeps_other_fields_and_no_timestamp() -> None:
    assert render(event="pool refill failed", pool="python", error="boom") == (
        "codegym: pool refill failed: boom (pool=python)"
    )
    assert render(event="the disk is full.", fix="Free some space.") == (
        "codegym: the disk is full. Free some space."
    )
    assert render(event="bare") == "codegym: bare"


def test_plain_line_carries_the_traceback() -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        line = render(event="failed", exc_info=True)
    first, *rest = line.splitlines()
    assert first == "codegym: failed"
    assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: bad value"


def test_cli_commands_log_plain_lines_on_a_terminal() -> None:
    with stderr(Terminal()) as terminal:
        assert main(["schema"]) == 0  # every command but `serve` configures logging so
        structlog.get_logger().warning("disk full", fix="Free some space.")
    assert terminal.getvalue() == "codegym: disk full. Free some space.\n"


def test_the_server_keeps_structlog_lines_on_a_terminal() -> None:
    with stderr(Terminal()) as terminal:
        configure_logging("WARNING")  # as `codegym serve` does: its stderr is the editor's log
        structlog.get_logger().warning("disk full", fix="Free some space.")
    assert re.fullmatch(
        r"\S+Z \[warning +\] disk full +fix='Free some space.'\n", plain(terminal.getvalue())
    )


def test_off_a_terminal_lines_keep_their_timestamp_and_level() -> None:
    with stderr(io.StringIO()) as pipe:
        configure_logging("WARNING", plain_on_terminal=True)
        structlog.get_logger().warning("disk full", fix="Free some space.")
    assert re.fullmatch(r"\S+Z \[warning +\] disk full +fix='Free some space.'\n", pipe.getvalue())


def test_a_log_file_gets_json_lines_even_from_a_terminal(tmp_path: Path) -> None:
    log = tmp_path / "codegym.jsonl"
    with stderr(Terminal()) as terminal:
        configure_logging("WARNING", log, plain_on_terminal=True)
        structlog.get_logger().warning("disk full", fix="Free some space.")
    record = json.loads(log.read_text().splitlines()[-1])
    assert record["event"] == "disk full" and record["fix"] == "Free some space."
    assert record["level"] == "warning" and "timestamp" in record
    assert terminal.getvalue() == ""
