"""Single keys from the terminal: cbreak mode (each key as it is typed, not echoed; Ctrl-C still
interrupts) while the loop runs, the terminal's own mode restored on any exit."""

from __future__ import annotations

import contextlib
import os
import sys
import termios
import tty
from collections.abc import Iterator
from typing import TextIO

HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"


def is_terminal(stdin: TextIO, stdout: TextIO) -> bool:
    """Both ends are a terminal: keys come one by one and the screen can be redrawn."""
    return stdin.isatty() and stdout.isatty()


@contextlib.contextmanager
def single_keys(fd: int) -> Iterator[None]:
    """The terminal of `fd` in cbreak mode, the cursor hidden, until the block exits (normally,
    on Ctrl-C or on an exception); then its previous mode, the cursor back, a fresh line."""
    previous = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    sys.stdout.write(HIDE_CURSOR)
    sys.stdout.flush()
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, previous)
        sys.stdout.write(SHOW_CURSOR + "\n")
        sys.stdout.flush()


def read_keys(fd: int) -> str:
    """The keys typed since the last read (call when `fd` is readable); "" at end of input."""
    return os.read(fd, 64).decode("utf-8", errors="ignore")
