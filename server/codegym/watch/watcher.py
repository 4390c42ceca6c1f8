"""The workspace's exercise files, watched with watchdog: each created, modified or renamed-to
`.py`/`.js` file outside skipped folders (`.codegym/`, `.git/`, `node_modules/`…) is reported
by path. Editors that save through a temporary file and a rename are reported by the rename's
target."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from ..workspace import skipped_folder

EXTENSIONS = (".py", ".js")


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, report: Callable[[Path], None]) -> None:
        self.root = root
        self.report = report

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in ("created", "modified", "moved"):
            return
        path = Path(str(event.dest_path if event.event_type == "moved" else event.src_path))
        if is_exercise_candidate(self.root, path):
            self.report(path)


def is_exercise_candidate(root: Path, path: Path) -> bool:
    """A file that may hold an exercise: its extension is one, and no folder on its way from
    `root` is skipped."""
    try:
        folders = path.relative_to(root).parts[:-1]
    except ValueError:
        return False
    return path.name.endswith(EXTENSIONS) and not any(skipped_folder(f) for f in folders)


class Watcher:
    """Watches `root` recursively in watchdog's thread; `report` is called from that thread."""

    def __init__(self, root: Path, report: Callable[[Path], None]) -> None:
        self._observer = Observer()
        self._observer.schedule(_Handler(root, report), str(root), recursive=True)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()
