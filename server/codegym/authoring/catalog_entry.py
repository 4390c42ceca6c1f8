"""A new problem's entry added to the catalog's text (`config.yaml`) where an author would type
it: at the end of its topic's `problems` list, in the list's own indentation. Everything else
in the file, comments included, stays as it was; the result is checked by loading both texts."""

from __future__ import annotations

from typing import Any

import yaml


class CatalogEditError(ValueError):
    """The entry could not be placed in this catalog's text."""


def with_problem(text: str, course_id: str, topic_id: str, entry: dict[str, Any]) -> str:
    """`text` with `entry` appended to the problems of topic `topic_id` of course `course_id`."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogEditError(f"the catalog does not parse: {exc}") from None
    topic = _topic_node(root, course_id, topic_id)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    problems = _value(topic, "problems")
    if isinstance(problems, yaml.SequenceNode) and problems.value and not problems.flow_style:
        column = problems.start_mark.column  # of the first item's dash
        at = _line_after(problems.value[-1])
        lines[at:at] = _indented(yaml.safe_dump([entry], **_STYLE), column)
    elif problems is None:
        column = topic.value[0][0].start_mark.column
        at = _line_after(topic)
        block = yaml.safe_dump({"problems": [entry]}, **_STYLE)
        lines[at:at] = _indented(block, column)
    else:  # `problems: []`, `problems:` with nothing, or a flow list: rewritten as a block
        key = next(k for k, v in topic.value if v is problems)
        column = key.start_mark.column
        items = yaml.safe_load(yaml.serialize(problems)) or []
        block = yaml.safe_dump({"problems": [*items, entry]}, **_STYLE)
        first, last = key.start_mark.line, _line_after(problems)
        lines[first:last] = _indented(block, column)
    edited = "".join(lines)
    _check(text, edited, course_id, topic_id, entry)
    return edited


_STYLE: dict[str, Any] = {"sort_keys": False, "allow_unicode": True, "width": 100}


def _topic_node(root: yaml.Node | None, course_id: str, topic_id: str) -> yaml.MappingNode:
    for course in _items(_value(root, "courses")):
        if _scalar(_value(course, "id")) != course_id:
            continue
        for topic in _items(_value(course, "topics")):
            if _scalar(_value(topic, "id")) == topic_id and isinstance(topic, yaml.MappingNode):
                return topic
    raise CatalogEditError(f"topic {topic_id!r} of course {course_id!r} is not in the catalog")


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if _scalar(k) == key), None)


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _line_after(node: yaml.Node) -> int:
    """The index of the line after the last line with any of `node`'s text."""
    last = node
    while isinstance(last, yaml.MappingNode | yaml.SequenceNode) and last.value:
        tail = last.value[-1]
        last = tail[1] if isinstance(tail, tuple) else tail
    end = last.end_mark
    return end.line if end.column == 0 else end.line + 1


def _indented(block: str, column: int) -> list[str]:
    return [" " * column + line for line in block.splitlines(keepends=True)]


def _check(before: str, after: str, course_id: str, topic_id: str, entry: dict[str, Any]) -> None:
    """The edited text must load as the old catalog plus the entry, and nothing else."""
    wanted = yaml.safe_load(before)
    for course in wanted["courses"]:
        for topic in course.get("topics") or []:
            if course["id"] == course_id and topic["id"] == topic_id:
                topic["problems"] = [*(topic.get("problems") or []), entry]
    try:
        got = yaml.safe_load(after)
    except yaml.YAMLError:
        got = None
    if got != wanted:
        raise CatalogEditError("the catalog's layout is not one this command can add to")
