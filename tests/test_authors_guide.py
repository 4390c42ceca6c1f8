"""The author guide's YAML reference: generated from the content models' JSON Schemas, current in
docs/authors.md, and rendered correctly."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from codegym.cli import main
from codegym.content.models import CallTest
from codegym.content.reference import (
    BEGIN,
    END,
    REGENERATE,
    anchor,
    document_schema,
    extract_block,
    render_reference,
    render_schema,
    replace_block,
)

from .conftest import ROOT

GUIDE = ROOT / "docs" / "authors.md"

# Defined outside the content models (server/codegym/config.py); its fields are described in the
# `limits` field of a problem instead.
UNDESCRIBED_TYPES = {"ExerciseLimits"}


def test_reference_in_the_guide_is_current() -> None:
    block = extract_block(GUIDE.read_text(encoding="utf-8"))
    assert block.strip() == render_reference().strip(), (
        f"the YAML reference in docs/authors.md is out of date: run `{REGENERATE}`"
    )


def test_links_in_the_reference_reach_its_headings() -> None:
    block = render_reference()
    headings = {anchor(h) for h in re.findall(r"^#+ (.+)$", block, flags=re.MULTILINE)}
    links = set(re.findall(r"\]\(#([^)]+)\)", block))
    assert links, "the reference links its object types"
    assert links <= headings, links - headings


@pytest.mark.parametrize("document", ["problem", "catalog"])
def test_every_field_an_author_writes_is_described(document: str) -> None:
    schema = document_schema(document)  # type: ignore[arg-type]
    objects = {"(root)": schema, **schema["$defs"]}
    missing = [
        f"{name}.{field}"
        for name, obj in objects.items()
        if name not in UNDESCRIBED_TYPES
        for field, prop in obj.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []
    undocumented = [n for n, o in schema["$defs"].items() if not o.get("description")]
    assert undocumented == []


SMALL: dict[str, Any] = {
    "title": "Shop",
    "type": "object",
    "additionalProperties": False,
    "description": "A small shop.",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 20, "description": "Shop name."},
        "size": {"enum": ["small", "large"], "default": "small", "type": "string"},
        "owner": {"$ref": "#/$defs/Person", "description": "Who runs it | owns it."},
        "staff": {"type": "array", "items": {"$ref": "#/$defs/Person"}, "default": []},
    },
    "required": ["name", "owner"],
    "$defs": {
        "Person": {
            "type": "object",
            "description": "Somebody.",
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z]+$"},
                "age": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]},
                "role": {"$ref": "#/$defs/Role"},
            },
            "required": ["id"],
        },
        "Role": {"type": "object", "properties": {"title": {"type": "string"}}},
        "Unused": {"type": "object", "properties": {}},
    },
}


def _rows(markdown: str, heading: str) -> dict[str, list[str]]:
    """The table under `heading`: field → its cells (type, required, default, description)."""
    section = markdown.split(f" {heading}\n", 1)[1].split("\n#", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_renderer_on_a_small_schema() -> None:
    markdown = render_schema(SMALL)
    headings = re.findall(r"^(#+) (.+)$", markdown, flags=re.MULTILINE)
    # The root first, then definitions in order of first reference (nested ones included),
    # unreferenced ones last.
    assert headings == [("###", "Shop"), ("####", "Person"), ("####", "Role"), ("####", "Unused")]
    assert "A small shop." in markdown and "Somebody." in markdown

    shop = _rows(markdown, "Shop")
    assert shop["name"] == ["string; 1–20 characters", "yes", "—", "Shop name."]
    assert shop["size"] == ["`small` \\| `large`", "no", '`"small"`', ""]
    assert shop["owner"] == ["[Person](#person)", "yes", "—", "Who runs it \\| owns it."]
    assert shop["staff"] == ["list of [Person](#person) items", "no", "`[]`", ""]
    assert "No other fields are allowed." in markdown.split("#### Person")[0]

    person = _rows(markdown, "Person")
    assert person["id"] == ["string; matching `^[a-z]+$`", "yes", "—", ""]
    assert person["age"] == ["integer \\| null; ≥ 0", "no", "—", ""]
    assert person["role"] == ["[Role](#role)", "no", "—", ""]


def test_a_definition_shared_by_two_documents_is_rendered_once() -> None:
    seen: set[str] = set()
    first = render_schema(SMALL, seen=seen)
    second = render_schema({**SMALL, "title": "Market"}, seen=seen)
    assert "#### Person" in first
    assert "#### Person" not in second
    assert "[Person](#person)" in second


def test_replace_block_keeps_everything_outside_the_markers() -> None:
    text = f"# Guide\n\nintro\n\n{BEGIN}\nold\nlines\n{END}\n\n## After\n"
    updated = replace_block(text, "new")
    assert updated == f"# Guide\n\nintro\n\n{BEGIN}\nnew\n{END}\n\n## After\n"
    assert extract_block(updated) == "new\n"
    with pytest.raises(ValueError):
        replace_block("no markers here\n", "new")
    with pytest.raises(ValueError):
        replace_block(f"{END}\n{BEGIN}\n", "new")


def test_schema_write_updates_only_the_marked_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text(f"before\n{BEGIN}\nstale\n{END}\nafter\n", encoding="utf-8")
    assert main(["schema", "--write", str(guide)]) == 0
    text = guide.read_text(encoding="utf-8")
    assert text.startswith(f"before\n{BEGIN}\n") and text.endswith(f"{END}\nafter\n")
    assert extract_block(text) == render_reference()
    assert "reference updated" in capsys.readouterr().out
    assert main(["schema", "--write", str(guide)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_schema_write_without_markers_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("no markers\n", encoding="utf-8")
    assert main(["schema", "--write", str(guide)]) == 2
    assert "reference:begin" in capsys.readouterr().err
    assert guide.read_text(encoding="utf-8") == "no markers\n"


def test_schema_markdown_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--markdown"]) == 0
    assert capsys.readouterr().out == render_reference()
    assert main(["schema", "catalog", "--markdown"]) == 0
    only_catalog = capsys.readouterr().out
    assert "### Code Gym catalog" in only_catalog and "Code Gym problem" not in only_catalog


def test_schema_json_output_is_the_shared_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == document_schema("problem")
    assert main(["schema", "catalog"]) == 0
    assert json.loads(capsys.readouterr().out) == document_schema("catalog")


def test_list_defaults_are_not_shared_between_tests() -> None:
    first = CallTest(kind="call", name="a", expected=1)
    second = CallTest(kind="call", name="b", expected=2)
    first.args.append(1)
    first.kwargs["x"] = 1
    assert second.args == [] and second.kwargs == {}
