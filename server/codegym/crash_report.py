"""An unexpected error in a CLI command: one line for the person who ran it, the traceback for
the log (`--log-file`, or `codegym.log` in the user's state folder), never a traceback on the
terminal (docs/cli.md § Exit codes)."""

from __future__ import annotations

import datetime
import json
import os
import traceback
from pathlib import Path

LOG_NAME = "codegym.log"


def default_log_path() -> Path:
    """`$XDG_STATE_HOME/codegym/codegym.log`, by default `~/.local/state/codegym/codegym.log`."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "codegym" / LOG_NAME


def report_unexpected(error: BaseException, command: str, log_file: Path | None) -> str:
    """Append the error and its traceback to the log, as a JSON line like the others there, and
    return the one line to print: `codegym: unexpected error: <type>: <message> (<where the
    traceback went>)`."""
    summary = f"{type(error).__name__}: {_first_line(error)}"
    path = log_file or default_log_path()
    record = {
        "event": "unexpected error",
        "level": "error",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "command": command,
        "error": summary,
        "exception": "".join(traceback.format_exception(error)),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        where = f"the traceback is in {path}"
    except OSError as exc:
        where = f"no traceback kept: cannot write {path}: {exc.strerror or exc}"
    return f"codegym: unexpected error in {command}: {summary} ({where})"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else "(no message)"
    return text if len(text) <= 300 else text[:299] + "…"
