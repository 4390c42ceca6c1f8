"""Every command turns an unexpected error into one line on stderr and exit 2, with the
traceback in the log, never on the terminal (issue 16). Real subprocesses, real failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXIT_ERROR = 2


def codegym(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegym.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "CODEGYM_BACKEND": "local", **env},
        timeout=120,
    )


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_state_log(
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    state = tmp_path / "state"
    result = codegym("init", tmp_path / "a-file" / "exercises", XDG_STATE_HOME=str(state))
    log = state / "codegym" / "codegym.log"
    assert result.returncode == EXIT_ERROR
    assert result.stderr.splitlines() == [
        "codegym: unexpected error in init: NotADirectoryError: [Errno 20] Not a directory: "
        f"'{tmp_path / 'a-file' / 'exercises' / '.codegym'}' (the traceback is in {log})"
    ]
    record = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert record["event"] == "unexpected error"
    assert record["command"] == "init"
    assert record["exception"].startswith("Traceback (most recent call last):")
    assert "NotADirectoryError" in record["exception"]


def test_with_a_log_file_the_traceback_goes_there(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    log = tmp_path / "run.log"
    result = codegym("--log-file", log, "init", tmp_path / "a-file" / "x")
    assert result.returncode == EXIT_ERROR
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.endswith(f"(the traceback is in {log})\n")
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")


def test_a_log_that_cannot_be_written_still_leaves_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    result = codegym(
        "init", tmp_path / "a-file" / "x", XDG_STATE_HOME=str(tmp_path / "a-file" / "state")
    )
    assert result.returncode == EXIT_ERROR
    [line] = result.stderr.splitlines()
    assert line.startswith("codegym: unexpected error in init: NotADirectoryError: ")
    assert "(no traceback kept: cannot write " in line


def test_a_wrong_setting_in_the_environment_is_named_in_one_line(tmp_path: Path) -> None:
    result = codegym("preview", "py-sum-evens", CODEGYM_POOL_SIZE="many")
    assert result.returncode == EXIT_ERROR
    assert result.stderr.splitlines() == [
        "codegym: invalid setting sandbox.docker.pool_size: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]
