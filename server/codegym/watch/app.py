"""`codegym watch DIR`: the terminal, the watcher and the loop put together. Keys are read on the
event loop (the runs are in worker threads); the screen is redrawn after every step and when the
terminal is resized; the terminal's mode is restored however the loop ends."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

from ..config import Settings
from ..content import Content
from ..sandbox import Sandbox, open_sandbox
from .keys import is_terminal, read_keys, single_keys
from .loop import Watch
from .screen import ScreenState, redraw, render
from .watcher import Watcher

NOT_A_TERMINAL = "codegym watch needs a terminal"


def watch(root: Path, content: Content, settings: Settings) -> int:
    """Run the loop in `root` until the learner quits; the exit status (2: not a terminal)."""
    if not is_terminal(sys.stdin, sys.stdout):
        print(f"{NOT_A_TERMINAL} (its keys and screen are a terminal's)", file=sys.stderr)
        return 2
    sandbox = open_sandbox(settings.sandbox)
    try:
        with single_keys(sys.stdin.fileno()):
            asyncio.run(_main(root.resolve(), content, settings, sandbox))
    finally:
        sandbox.close()
    return 0


def _draw(state: ScreenState) -> None:
    try:  # the terminal's own size: COLUMNS and LINES may be a parent shell's, stale
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        size = shutil.get_terminal_size()
    sys.stdout.write(redraw(render(state, size.columns, size.lines)))
    sys.stdout.flush()


async def _main(root: Path, content: Content, settings: Settings, sandbox: Sandbox) -> None:
    loop = asyncio.get_running_loop()
    session = Watch(content, root, settings, sandbox, _draw)
    keys: asyncio.Queue[str] = asyncio.Queue()
    fd = sys.stdin.fileno()

    def on_keys() -> None:
        typed = read_keys(fd)
        for key in typed or "q":  # "": the terminal went away
            keys.put_nowait(key)

    watcher = Watcher(root, lambda path: loop.call_soon_threadsafe(session.file_changed, path))
    watcher.start()
    loop.add_reader(fd, on_keys)
    loop.add_signal_handler(signal.SIGWINCH, session.show_state)
    loop.add_signal_handler(signal.SIGTERM, keys.put_nowait, "q")  # `kill`: quit cleanly
    try:
        await session.start()
        while await session.key(await keys.get()):  # one at a time, in the order typed
            pass
    finally:
        loop.remove_reader(fd)
        loop.remove_signal_handler(signal.SIGWINCH)
        loop.remove_signal_handler(signal.SIGTERM)
        watcher.stop()
        await session.close()
