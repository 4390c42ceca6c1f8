"""Exercises as workspace files: render them, recognise them by their header marker, write them
without ever overwriting a learner's file."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .content import COMMENT_PREFIX, Content, Problem
from .content.templates import Params
from .content.variants import GeneratedParamsMissing, for_seed

MARKER = re.compile(r"^\s*(?:#|//)\s*codegym:\s*exercise\s+([a-z0-9][a-z0-9-]{0,62})\s*$")
HEADER_SCAN_LINES = 80
_SKIP_DIRS = {".git", ".codegym", "node_modules", "__pycache__", ".venv", "venv"}
_RULE = "─" * 72


def marker_line(problem: Problem) -> str:
    return f"{COMMENT_PREFIX[problem.language]} codegym: exercise {problem.id}"


def exercise_id_of(text: str) -> str | None:
    """The exercise id named by a file's header marker, if any."""
    for line in text.splitlines()[:HEADER_SCAN_LINES]:
        if match := MARKER.match(line):
            return match.group(1)
    return None


def header_lines(problem: Problem) -> list[str]:
    """The comment block at the top of an exercise file: title, marker and statement."""
    c = COMMENT_PREFIX[problem.language]
    lines = [
        f"{c} {_RULE}",
        f"{c} Code Gym · {problem.meta.title} · {problem.meta.difficulty}",
        marker_line(problem),
        f"{c}",
    ]
    for paragraph in problem.body.statement.strip().splitlines():
        wrapped = textwrap.wrap(paragraph, width=90, replace_whitespace=False) or [""]
        lines += [f"{c} {w}".rstrip() for w in wrapped]
    lines += [
        f"{c}",
        f"{c} Save to run the tests in your editor, or run: codegym check <this file>",
        f"{c} {_RULE}",
    ]
    return lines


class HeaderSpan(NamedTuple):
    """Where an exercise file's header (`header_lines`) is: its first line, its marker line and
    its last line (0-based)."""

    first: int
    marker: int
    last: int


def header_span(text: str) -> HeaderSpan | None:
    """The run of comment lines around the file's marker, however the learner edited the
    statement; None without a marker."""
    lines = text.splitlines()
    marker = next(
        (i for i, line in enumerate(lines[:HEADER_SCAN_LINES]) if MARKER.match(line)), None
    )
    if marker is None:
        return None
    prefix = "//" if lines[marker].lstrip().startswith("//") else "#"

    def is_comment(index: int) -> bool:
        return lines[index].lstrip().startswith(prefix)

    first = last = marker
    while first > 0 and is_comment(first - 1):
        first -= 1
    while last + 1 < len(lines) and is_comment(last + 1):
        last += 1
    return HeaderSpan(first, marker, last)


def render_exercise(problem: Problem) -> str:
    """The file a learner starts from: header, then the starter code."""
    return "\n".join(header_lines(problem)) + "\n\n" + problem.body.starter.rstrip() + "\n"


def default_path(problem: Problem) -> Path:
    """`<course>/<NN>-<topic>/<NN>-<problem><ext>`, relative to the workspace."""
    topic = f"{problem.topic_index + 1:02d}-{problem.topic.id}"
    return (
        Path(problem.course.id)
        / topic
        / f"{problem.meta.order:02d}-{problem.id}{problem.extension}"
    )


def skipped_folder(name: str) -> bool:
    """A folder whose files are never exercises: hidden ones (`.codegym/` with its backups,
    `.git/`), virtual environments, `node_modules/`, caches."""
    return name in _SKIP_DIRS or name.startswith(".")


def iter_exercise_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(exercise id, path) for every file under `root` whose header names an exercise."""
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not skipped_folder(d))
        for name in sorted(files):
            if not name.endswith((".py", ".js")):
                continue
            path = Path(directory) / name
            try:
                with path.open(encoding="utf-8-sig", errors="replace") as handle:
                    head = "".join(handle.readline() for _ in range(HEADER_SCAN_LINES))
            except OSError:
                continue
            if exercise_id := exercise_id_of(head):
                yield exercise_id, path


def find_exercises(root: Path) -> dict[str, Path]:
    """The first file found for each exercise id (renamed or moved files still count)."""
    found: dict[str, Path] = {}
    for exercise_id, path in iter_exercise_files(root):
        found.setdefault(exercise_id, path)
    return found


@dataclass
class InitResult:
    created: list[Path] = field(default_factory=list)
    existing: list[Path] = field(default_factory=list)
    not_made: list[str] = field(default_factory=list)
    """Generated variants whose generator has not given this workspace its parameters."""


def course_problems(content: Content, course: str | None) -> list[Problem]:
    """The problems of `course` (of every course when None), in order; KeyError for a course
    the content does not have."""
    problems = [p for p in content.ordered() if course is None or p.course.id == course]
    if course is not None and not problems:
        known = ", ".join(c.id for c in content.catalog.courses) if content.catalog else ""
        raise KeyError(f"no course {course!r} (courses: {known})")
    return problems


def init_workspace(root: Path, content: Content, course: str | None = None) -> InitResult:
    """Write a file for every exercise that has none yet. Never overwrites anything."""
    problems = course_problems(content, course)
    mark_workspace(root)
    present = find_exercises(root)
    result = InitResult()
    for problem in problems:
        if problem.id in present:
            result.existing.append(present[problem.id])
            continue
        path = root / default_path(problem)
        try:
            text = render_exercise(learner_problem(problem, root))
        except GeneratedParamsMissing:  # its generator failed: reported by whoever ran it
            result.not_made.append(problem.id)
            continue
        if write_new_file(path, text):
            result.created.append(path)
        else:
            result.existing.append(path)
    return result


STATE_DIR = ".codegym"
"""The folder of a workspace's own state (progress, backups, feedback): it marks the workspace."""


def mark_workspace(root: Path) -> None:
    """Make `root` a workspace: `find_workspace` finds it from any file below it."""
    (root / STATE_DIR).mkdir(parents=True, exist_ok=True)


SEED_FILE = "seed"
"""`.codegym/seed`: the workspace's seed, a random integer written once, that chooses its
learner's variant of every variant problem."""


def workspace_seed(root: Path | None) -> int:
    """The seed of the workspace at `root`, written the first time it is asked for (by
    `codegym init`, or by the first look at an older workspace); 0 outside a workspace or when
    it cannot be written."""
    if root is None:
        return 0
    path = root / STATE_DIR / SEED_FILE
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        pass
    if not (root / STATE_DIR).is_dir() or path.exists():
        return 0  # not a workspace, or a seed file that is not a number: never overwritten
    temporary = path.with_name(f"{SEED_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    try:  # written whole, then linked: a reader never sees a half-written seed
        temporary.write_text(f"{secrets.randbelow(2**31)}\n", encoding="utf-8")
        with contextlib.suppress(FileExistsError):  # another process was first: its seed
            os.link(temporary, path)
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return 0
    finally:
        temporary.unlink(missing_ok=True)


def learner_problem(problem: Problem, root: Path | None) -> Problem:
    """The problem as the learner of the workspace at `root` gets it: their variant of a variant
    problem (placeholders substituted, expected values not yet computed), any other unchanged.
    Raises GeneratedParamsMissing for a generated variant whose generator has not run for the
    workspace's seed (`codegym.variants.prepare_generated` runs it)."""
    if problem.body.variants is None:
        return problem
    seed = workspace_seed(root)
    return for_seed(problem, seed, generated_params(root, problem, seed))


# ------------------------------------------------------------------ generated parameters
#
# What a problem's generator returned for a workspace's seed, kept in
# `.codegym/variants/<exercise>.params.json` (and in memory, for a folder that is no workspace),
# keyed by a digest of the generator: a changed generator runs again.

_generated: dict[tuple[str, str, int], Params] = {}


def generator_digest(problem: Problem) -> str:
    variants = problem.body.variants
    assert variants is not None and variants.generator is not None
    basis = [problem.language, variants.generator, sorted(variants.names or [])]
    return hashlib.sha256(json.dumps(basis).encode()).hexdigest()


def generated_params_path(root: Path, exercise: str) -> Path:
    return root / STATE_DIR / "variants" / f"{exercise}.params.json"


def generated_params(root: Path | None, problem: Problem, seed: int) -> Params | None:
    """The parameters the problem's generator returned for `seed`, if it has run; None for a
    problem without a generator."""
    variants = problem.body.variants
    if variants is None or variants.generator is None:
        return None
    key = (problem.id, generator_digest(problem), seed)
    if key in _generated:
        return _generated[key]
    if root is None:
        return None
    try:
        document: Any = json.loads(
            generated_params_path(root, problem.id).read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    if document.get("digest") != key[1] or document.get("seed") != seed:
        return None  # another generator, or another workspace's seed: run it again
    params = document.get("params")
    if not isinstance(params, dict) or set(params) != set(variants.names or []):
        return None
    _generated[key] = params
    return params


def store_generated_params(root: Path | None, problem: Problem, seed: int, params: Params) -> None:
    """Keep what the generator returned: in memory, and in the workspace when there is one (a
    workspace that cannot be written only runs the generator again next time)."""
    _generated[(problem.id, generator_digest(problem), seed)] = params
    if root is None or not (root / STATE_DIR).is_dir():
        return
    document = {"exercise": problem.id, "seed": seed, "digest": generator_digest(problem),
                "params": params}  # fmt: skip
    with contextlib.suppress(OSError):
        write_atomically(
            generated_params_path(root, problem.id),
            json.dumps(document, ensure_ascii=False, indent=1) + "\n",
        )


def find_workspace(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds `.codegym/`: the workspace that `path`
    belongs to, whatever folder an editor took for the project's root."""
    for folder in (path, *path.parents):
        if (folder / STATE_DIR).is_dir():
            return folder
    return None


def locate_workspace(root: Path, depth: int = 3) -> Path | None:
    """The workspace an editor means when it opens `root`: `root` or the folder above it that
    holds `.codegym/` (an editor that took a topic folder for the project), else the only one
    within `depth` levels below it (an editor that took the enclosing git repository)."""
    if found := find_workspace(root):
        return found
    below: list[Path] = []
    level = [root]
    for _ in range(depth):
        level = [
            child
            for folder in level
            for child in _subfolders(folder)
            if not skipped_folder(child.name)
        ]
        below += [folder for folder in level if (folder / STATE_DIR).is_dir()]
        if len(below) > 1 or len(level) > 500:
            return None
    return below[0] if below else None


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [child for child in folder.iterdir() if child.is_dir() and not child.is_symlink()]
    except OSError:
        return []


def exercise_file(root: Path, problem: Problem) -> Path:
    """The learner's file for an exercise, written from the starter if it has none yet."""
    path = find_exercises(root).get(problem.id)
    if path is None:
        path = root / default_path(problem)
        write_new_file(path, render_exercise(learner_problem(problem, root)))
    return path


def write_new_file(path: Path, text: str) -> bool:
    """Create `path` with `text`; False (and nothing written) if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return False
    return True


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step: a reader sees the old file or the new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def backup_file(root: Path, problem: Problem, text: str) -> Path:
    """Keep a learner's text in `.codegym/backups/` before anything replaces it."""
    backups = root / STATE_DIR / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = backups / f"{problem.id}-{stamp}{problem.extension}"
    counter = 1
    while path.exists():
        path = backups / f"{problem.id}-{stamp}-{counter}{problem.extension}"
        counter += 1
    path.write_text(text, encoding="utf-8")
    return path
