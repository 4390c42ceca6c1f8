"""Load a content folder, collecting every problem with its file and line.

The loader never stops at the first problem: malformed YAML, unknown fields, schema violations,
missing files and duplicate ids are all gathered, each as a `ContentError` with `file:line`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .arguments import expected_problem, input_problems, value_problem
from .models import CallTest, Catalog, CodeTest, Course, Problem, ProblemBody, ProblemMeta, Topic

CATALOG_FILE = "config.yaml"

YamlPath = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~5× faster
_UNION_TAGS = {"call", "stdio", "code"}  # pydantic adds the discriminator to error paths


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class FailedProblem:
    """A problem of the catalog that did not load, with the errors found while loading it."""

    id: str
    course: str
    errors: tuple[ContentError, ...]


@dataclass
class Content:
    """A loaded content folder: the catalog, the problems that loaded, those that did not (by
    id, with the errors that stopped them), and every error."""

    root: Path
    catalog: Catalog | None
    problems: dict[str, Problem] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    failed: dict[str, FailedProblem] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def ordered(self) -> list[Problem]:
        """Problems in course → topic → order sequence."""
        return sorted(
            self.problems.values(),
            key=lambda p: (
                self._course_index(p.course.id),
                p.topic_index,
                p.meta.order,
                p.id,
            ),
        )

    def _course_index(self, course_id: str) -> int:
        assert self.catalog is not None
        return next(i for i, c in enumerate(self.catalog.courses) if c.id == course_id)

    def get(self, problem_id: str) -> Problem:
        try:
            return self.problems[problem_id]
        except KeyError:
            raise KeyError(f"no exercise with id {problem_id!r} in {self.root}") from None


class _LineMap:
    """Line numbers (1-based) of every mapping key and sequence item in a YAML document."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[YamlPath, int] = {}
        if node is not None:
            self._walk(node)

    def _walk(self, root: yaml.Node) -> None:
        """Each node once, without recursion: an alias (`*name`) is the node of its anchor,
        already walked, so a recursive anchor or an exponential tree of aliases costs nothing."""
        seen: set[int] = set()
        pending: list[tuple[yaml.Node, YamlPath]] = [(root, ())]
        while pending:
            node, path = pending.pop()
            self.lines.setdefault(path, node.start_mark.line + 1)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    child = (*path, str(key.value))
                    self.lines[child] = key.start_mark.line + 1
                    pending.append((value, child))
            elif isinstance(node, yaml.SequenceNode):
                pending.extend((item, (*path, index)) for index, item in enumerate(node.value))

    def line_for(self, loc: Iterable[str | int]) -> int | None:
        """The line of the deepest part of a pydantic error location present in the document.

        Locations may contain discriminator tags (`('tests', 0, 'call', 'args')`) that are not
        in the YAML; those are skipped.
        """
        best: YamlPath = ()
        for part in loc:
            candidate = (*best, part)
            if candidate in self.lines:
                best = candidate
        return self.lines.get(best)


def _read_yaml(path: Path, display: str, errors: list[ContentError]) -> tuple[Any, _LineMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(ContentError(display, None, "file not found"))
        return None, _LineMap(None)
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(ContentError(display, None, f"cannot read: {exc}"))
        return None, _LineMap(None)
    node: yaml.Node | None = None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        errors.append(ContentError(display, line, f"invalid YAML: {exc.problem or exc}"))
        return None, _LineMap(None)
    except yaml.YAMLError as exc:
        errors.append(ContentError(display, None, f"invalid YAML: {exc}"))
        return None, _LineMap(None)
    except Exception as exc:  # PyYAML builds some scalars with bare errors: 2024-13-45,
        # a 5000-digit integer (ValueError), `!!bool maybe` (KeyError), `!!timestamp x` ...
        errors.append(_unbuildable(node, exc, display))
        return None, _LineMap(None)
    return data, _LineMap(node)


def _unbuildable(root: yaml.Node | None, error: Exception, display: str) -> ContentError:
    """The error of the first scalar that the safe loader cannot build, at its line."""
    pending, seen = [root] if root is not None else [], set()
    builder = yaml.SafeLoader("")
    while pending:
        node = pending.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                builder.construct_object(node)
            except Exception as exc:
                tag = node.tag.replace("tag:yaml.org,2002:", "!!")
                shown = node.value if len(node.value) <= 40 else node.value[:39] + "…"
                why = f": {exc}" if isinstance(exc, ValueError) else ""
                message = f"invalid value: {shown!r} cannot be read as {tag}{why}"
                return ContentError(display, node.start_mark.line + 1, message)
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return ContentError(display, None, f"invalid value: {type(error).__name__}: {error}")


def _validate(
    model: type[M],
    data: Any,
    lines: _LineMap,
    display: str,
    errors: list[ContentError],
    prefix: YamlPath = (),
) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = (*prefix, *err["loc"])
            shown = [
                p
                for i, p in enumerate(loc)
                if not (i and isinstance(loc[i - 1], int) and p in _UNION_TAGS)
            ]
            where = ".".join(str(p) for p in shown) or "(document)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown field {loc[-1]!r}"
            errors.append(ContentError(display, lines.line_for(loc), f"{where}: {message}"))
        return None


def load_content(root: Path | str) -> Content:
    """Load the catalog and every problem body under `root`."""
    root = Path(root)
    errors: list[ContentError] = []
    catalog_path = root / CATALOG_FILE
    data, lines = _read_yaml(catalog_path, CATALOG_FILE, errors)
    catalog = _validate(Catalog, data, lines, CATALOG_FILE, errors) if data is not None else None
    if data is None and not errors:
        errors.append(ContentError(CATALOG_FILE, None, "the catalog is empty"))
    content = Content(root=root, catalog=catalog, errors=errors)
    if catalog is None:
        return content

    _check_catalog_ids(catalog, lines, errors)
    for ci, course in enumerate(catalog.courses):
        for ti, topic in enumerate(course.topics):
            glossary = {c.id for c in topic.concepts}
            for pi, meta in enumerate(topic.problems):
                where: YamlPath = ("courses", ci, "topics", ti, "problems", pi)
                first_error = len(errors)
                for concept in meta.concepts:
                    if concept not in glossary:
                        errors.append(
                            ContentError(
                                CATALOG_FILE,
                                lines.line_for((*where, "concepts")),
                                f"problem {meta.id!r}: concept {concept!r} is not in the "
                                f"glossary of topic {topic.id!r}",
                            )
                        )
                problem = _load_problem(root, meta, course, topic, ti, lines, where, errors)
                if problem is None:
                    found = tuple(errors[first_error:])
                    content.failed.setdefault(meta.id, FailedProblem(meta.id, course.id, found))
                elif problem.id not in content.problems:
                    content.problems[problem.id] = problem
    for problem_id in content.problems:  # a duplicate id whose other entry loaded
        content.failed.pop(problem_id, None)
    return content


def _check_catalog_ids(catalog: Catalog, lines: _LineMap, errors: list[ContentError]) -> None:
    seen: dict[tuple[str, str], YamlPath] = {}

    def claim(kind: str, ident: str, path: YamlPath) -> None:
        key = (kind, ident)
        if key in seen:
            first = lines.line_for(seen[key])
            errors.append(
                ContentError(
                    CATALOG_FILE,
                    lines.line_for((*path, "id")),
                    f"duplicate {kind} id {ident!r} (first defined at line {first})",
                )
            )
        else:
            seen[key] = (*path, "id")

    for ci, course in enumerate(catalog.courses):
        claim("course", course.id, ("courses", ci))
        for ti, topic in enumerate(course.topics):
            claim("topic", topic.id, ("courses", ci, "topics", ti))
            for pi, meta in enumerate(topic.problems):
                claim("problem", meta.id, ("courses", ci, "topics", ti, "problems", pi))


def _inputs_pass(
    body: ProblemBody, lines: _LineMap, display: str, errors: list[ContentError]
) -> bool:
    """Whether every call test's inputs (and every variant parameter, substituted into them)
    can reach the function as written, and every expected value can be returned; an error for
    each that cannot, at its line (`content.arguments`)."""
    found = [
        ContentError(display, lines.line_for(("tests", index, *path)), message)
        for index, test in enumerate(body.tests)
        if isinstance(test, CallTest)
        for path, message in input_problems(test.args, test.kwargs, body.language, test.id)
    ]
    found += [
        ContentError(
            display,
            lines.line_for(("tests", index, "expected")),
            f"expected value of test {test.id!r}: {reason}",
        )
        for index, test in enumerate(body.tests)
        if isinstance(test, CallTest | CodeTest) and "expected" in test.model_fields_set
        if (reason := expected_problem(test.expected)) is not None
    ]
    for index, params in enumerate(body.variants.listed if body.variants else []):
        for name, value in params.items():  # substituted into tests' inputs
            if (reason := value_problem(value, body.language)) is not None:
                line = lines.line_for(("variants", "params", index, name))
                message = f"parameter {name!r} of set {index + 1}: {reason}"
                found.append(ContentError(display, line, message))
    errors.extend(found)
    return not found


def _load_problem(
    root: Path,
    meta: ProblemMeta,
    course: Course,
    topic: Topic,
    topic_index: int,
    catalog_lines: _LineMap,
    where: YamlPath,
    errors: list[ContentError],
) -> Problem | None:
    relative = Path(meta.file)
    if relative.is_absolute() or ".." in relative.parts:
        errors.append(
            ContentError(
                CATALOG_FILE,
                catalog_lines.line_for((*where, "file")),
                f"problem {meta.id!r}: file must be a path inside the content folder",
            )
        )
        return None
    path = root / relative
    if not path.is_file():
        errors.append(
            ContentError(
                CATALOG_FILE,
                catalog_lines.line_for((*where, "file")),
                f"problem {meta.id!r}: file {meta.file!r} not found",
            )
        )
        return None
    display = relative.as_posix()
    data, lines = _read_yaml(path, display, errors)
    if data is None:
        if not any(e.file == display for e in errors):
            errors.append(ContentError(display, None, "the file is empty"))
        return None
    body = _validate(ProblemBody, data, lines, display, errors)
    if body is None:
        return None
    if body.language != course.language:
        errors.append(
            ContentError(
                display,
                lines.line_for(("language",)),
                f"language {body.language!r} does not match course {course.id!r} "
                f"({course.language})",
            )
        )
        return None
    if not _inputs_pass(body, lines, display, errors):
        return None
    where_in_body = {
        key: line
        for key in ("starter", "solution", "hints", "statement", "variants")
        if (line := lines.line_for((key,))) is not None
    }
    for index, test in enumerate(body.tests):
        if (line := lines.line_for(("tests", index))) is not None:
            where_in_body[f"tests.{test.id}"] = line
    for index in range(len(body.variants.listed) if body.variants else 0):
        if (line := lines.line_for(("variants", "params", index))) is not None:
            where_in_body[f"variants.{index}"] = line
    return Problem(
        meta=meta,
        body=body,
        course=course,
        topic=topic,
        topic_index=topic_index,
        source_file=display,
        lines=where_in_body,
    )
