"""Where a drafted problem lands in a content folder: the topic (`Place`), a free id and file,
its catalog entry, a scratch content folder holding only it (for the real loader and validate's
checks), and the final write, which never overwrites anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..content import Content, Problem, load_content
from ..content.loader import CATALOG_FILE
from ..content.models import Course, Topic
from .catalog_entry import CatalogEditError, with_problem


class DraftError(Exception):
    """The draft cannot be made as asked (no such topic, an output path taken, …)."""


@dataclass(frozen=True)
class Place:
    """Where a draft goes: a content folder, one of its courses and a topic of that course."""

    content: Content
    course: Course
    topic: Topic
    topic_index: int

    @classmethod
    def find(cls, content: Content, language: str, topic_id: str) -> Place:
        if content.catalog is None:
            raise DraftError(f"the catalog of {content.root} did not load")
        for course in content.catalog.courses:
            for index, topic in enumerate(course.topics):
                if topic.id == topic_id and course.language == language:
                    return cls(content, course, topic, index)
        topics = [t.id for c in content.catalog.courses if c.language == language for t in c.topics]
        raise DraftError(
            f"no {language} topic {topic_id!r} in {content.root} "
            f"(its {language} topics: {', '.join(topics) or 'none'})"
        )

    def taken(self) -> set[str]:
        assert self.content.catalog is not None
        ids = {p.id for c in self.content.catalog.courses for t in c.topics for p in t.problems}
        return ids | set(self.content.failed)


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")[:60]


def free_id(wanted: str, place: Place, out: Path | None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3` … the first id no problem has and no file uses."""
    taken = place.taken()
    candidate, number = wanted, 1
    while candidate in taken or (
        out is None and (place.content.root / relative_file(place, candidate, None)).exists()
    ):
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def relative_file(place: Place, pid: str, out: Path | None) -> str:
    """The problem file's path in the content folder: `out`, or `<language>/<topic>/<id>.yaml`."""
    if out is not None:
        return out.as_posix()
    return f"{place.course.language}/{place.topic.id}/{pid}.yaml"


def output_path(content_root: Path, out: Path) -> Path:
    """`--out PATH` as a path relative to the content folder; it must be inside it and free."""
    root = content_root.resolve()
    target = out.resolve()
    if not target.is_relative_to(root):
        raise DraftError(f"{out} is not inside the content folder {content_root}")
    if target.suffix != ".yaml":
        raise DraftError(f"{out}: a problem file's name ends in .yaml")
    if target.exists():
        raise DraftError(f"{out} exists: drafts never overwrite a file")
    return target.relative_to(root)


def entry(problem: Problem) -> dict[str, Any]:
    """The problem's catalog entry, as an author writes it (no empty `concepts`)."""
    return problem.meta.model_dump(exclude_defaults=True)


def stage(scratch: Path, problem: Problem, place: Place, text: str) -> Content:
    """A content folder in `scratch` holding only the problem (with `text` as its file and its
    course and topic around it), loaded by the real loader."""
    topic = place.topic.model_dump(exclude={"problems"}) | {"problems": [entry(problem)]}
    course = place.course.model_dump(exclude={"topics"}) | {"topics": [topic]}
    (scratch / CATALOG_FILE).write_text(
        yaml.safe_dump({"courses": [course]}, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    file = scratch / problem.meta.file
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return load_content(scratch)


def add(problem: Problem, place: Place, text: str) -> Path:
    """Write the problem file (never over another) and its catalog entry; the content folder
    must then load with the problem in it, or both are taken back."""
    root = place.content.root
    catalog = root / CATALOG_FILE
    before = catalog.read_text(encoding="utf-8")
    try:
        after = with_problem(before, place.course.id, place.topic.id, entry(problem))
    except CatalogEditError as exc:
        raise DraftError(f"{catalog}: {exc}") from None
    path = root / problem.meta.file
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise DraftError(f"{path} appeared while drafting: not overwritten") from None
    catalog.write_text(after, encoding="utf-8")
    loaded = load_content(root).problems.get(problem.id)
    if loaded is None or loaded.body != problem.body:
        catalog.write_text(before, encoding="utf-8")
        path.unlink()
        raise DraftError(f"{problem.id} did not load back from {root}: nothing was written")
    return path
