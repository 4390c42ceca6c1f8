"""`codegym watch` in a real terminal: tmux runs it, the test edits files as an editor does, types
keys with `send-keys` and reads the screen with `capture-pane`, waiting for text with a generous
deadline (never a fixed sleep)."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from codegym.workspace import STATE_DIR, find_exercises, init_workspace

from .conftest import ROOT
from .scripted_ollama import TUTOR_SCRIPT, ScriptedOllama
from .test_watch_loop import CONTENT

SERVER = ROOT / "server"
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """A 100×40 tmux session running `command` in a shell that, once it exits, prints its exit
    status and whether the terminal is back in canonical mode, then waits."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"codegym-watch-test-{uuid.uuid4().hex[:8]}"
        settings = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        script = (
            f"env {settings} {shlex.join(command)}; echo EXITED $?; "
            "stty -a | grep -o -- '-\\?icanon'; sleep 600"
        )
        self._tmux("new-session", "-d", "-x", "100", "-y", "40", script)

    def _tmux(self, *args: str) -> str:
        command = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def wait_for(self, text: str, deadline_s: float = 60) -> str:
        end = time.monotonic() + deadline_s
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{screen}")
            time.sleep(0.1)

    def after_exit(self, status: int) -> str:
        """What the shell printed after the program exited with `status`, once the terminal's
        mode (`stty`'s icanon or -icanon) is on screen too."""
        mark = f"EXITED {status}"
        end = time.monotonic() + 60
        while True:
            screen = self.wait_for(mark)
            after = screen.split(mark, 1)[1]
            if "icanon" in after:
                return after
            if time.monotonic() > end:
                raise AssertionError(f"no terminal mode after {mark!r}; the screen:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def program_pid(self) -> int:
        """The process the pane's shell started (`codegym watch`)."""
        shell = self._tmux("list-panes", "-F", "#{pane_pid}").strip()
        children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True)
        [pid] = children.stdout.split()
        return int(pid)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    init_workspace(tmp_path / "ws", CONTENT, course="python")
    return tmp_path / "ws"


@pytest.fixture
def terminal_for(workspace: Path) -> Iterator[object]:
    opened: list[Terminal] = []

    def open_terminal(**env: str) -> Terminal:
        command = [sys.executable, "-m", "codegym.cli", "watch", str(workspace)]
        base = {"PYTHONPATH": str(SERVER), "CODEGYM_BACKEND": "local", "TERM": "xterm"}
        opened.append(Terminal([*command], {**base, **env}))
        return opened[-1]

    yield open_terminal
    for terminal in opened:
        terminal.close()


def save_as_an_editor_does(path: Path, text: str) -> None:
    """Write a temporary file beside it, then rename it over the file (vim, VS Code)."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@needs_tmux
@pytest.mark.slow
def test_a_learner_session(workspace: Path, terminal_for) -> None:
    with ScriptedOllama(list(TUTOR_SCRIPT)) as ollama:
        terminal = terminal_for(OLLAMA_HOST=ollama.url)
        screen = terminal.wait_for("Start with: open")
        assert "▶ py-sum-evens · Sum of evens · easy" in screen
        assert "not run yet: edit the file and save it to run its tests" in screen
        assert "h hint · e explain · n next exercise · r reset · q quit" in screen
        path = find_exercises(workspace)["py-sum-evens"]

        save_as_an_editor_does(path, path.read_text() + "# my first try\n")
        screen = terminal.wait_for("✗ 1/4 public · 1/5 hidden  [local,")
        assert "      input:    sum_evens([1, 2, 3, 4])" in screen
        assert "      expected: 6" in screen
        assert "      got:      0" in screen
        assert "  ✗ hidden: negative numbers (wrong answer)" in screen

        terminal.keys("h")
        screen = terminal.wait_for("What does the remainder of a division")
        assert "── Hint 1/3 · Sum of evens" in screen

        terminal.keys("e")
        screen = terminal.wait_for("The test expected a different value")
        assert "── Why “mixed numbers” fails · Sum of evens" in screen

        solution = CONTENT.problems["py-sum-evens"].body.solution
        save_as_an_editor_does(path, path.read_text().replace("    return 0\n", "") + solution)
        screen = terminal.wait_for("✓ Sum of evens solved. Press n for the next one.")
        assert "✓ 4/4 public · 5/5 hidden" in screen

        terminal.keys("r")
        terminal.wait_for("Reset ")
        [backup] = (workspace / STATE_DIR / "backups").iterdir()
        assert "my first try" in backup.read_text()
        terminal.wait_for("✗ 1/4 public")  # the starter code, run again

        terminal.keys("n")
        screen = terminal.wait_for("▶ py-guess-judge · Guess judge")
        assert "Next: open " in screen

        terminal.keys("q")
        after = terminal.after_exit(0)
    assert "-icanon" not in after  # the terminal's mode is back


@needs_tmux
@pytest.mark.slow
def test_ctrl_c_restores_the_terminal_and_the_tutor_can_be_off(terminal_for) -> None:
    terminal = terminal_for(CODEGYM_TUTOR="off")
    terminal.wait_for("Start with: open")
    terminal.keys("h")
    screen = terminal.wait_for("Offline answer: The tutor model is turned off")
    assert "── Hint 1/3 · Sum of evens" in screen
    terminal.keys("e")
    terminal.wait_for("Save the file first: nothing ran yet.")
    terminal.keys("C-c")
    assert "-icanon" not in terminal.after_exit(130)


@needs_tmux
@pytest.mark.slow
def test_kill_quits_cleanly(terminal_for) -> None:
    terminal = terminal_for(CODEGYM_TUTOR="off")
    terminal.wait_for("Start with: open")
    os.kill(terminal.program_pid(), signal.SIGTERM)
    assert "-icanon" not in terminal.after_exit(0)


def test_without_a_terminal_it_says_so(workspace: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "watch", str(workspace)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SERVER)},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("codegym watch needs a terminal")
    assert len(result.stderr.splitlines()) == 1


def test_a_folder_without_a_workspace_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "watch", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SERVER)},
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"codegym: no workspace in {tmp_path}: run `codegym init {tmp_path}`\n"
