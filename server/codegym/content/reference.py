"""The YAML reference for authors, generated from the JSON Schemas of the content models.

`document_schema` is what `codegym schema problem|catalog` prints; `render_reference` turns those
schemas into Markdown tables (one per object type, following `$ref`s), and `replace_block` puts
them into a guide between the marker lines, so docs/authors.md never drifts from the models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel

from .models import Catalog, ProblemBody

Document = Literal["problem", "catalog"]
DOCUMENTS: dict[Document, type[BaseModel]] = {"catalog": Catalog, "problem": ProblemBody}
"""The documents an author writes, in the order the reference shows them."""

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
BEGIN = "<!-- reference:begin -->"
END = "<!-- reference:end -->"
REGENERATE = "codegym schema --write docs/authors.md"

Schema = dict[str, Any]


def document_schema(document: Document) -> Schema:
    """The JSON Schema of a problem file or of `config.yaml` (as `codegym schema` prints it)."""
    schema = DOCUMENTS[document].model_json_schema()
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = f"Code Gym {document}"
    return schema


# ----------------------------------------------------------------------------- rendering


def render_reference(documents: Sequence[Document] = ("catalog", "problem")) -> str:
    """The Markdown reference of `documents`: the text that belongs between the markers."""
    seen: set[str] = set()
    parts = [f"<!-- Generated from the JSON Schemas by `{REGENERATE}`; do not edit by hand. -->"]
    parts += [render_schema(document_schema(d), seen=seen) for d in documents]
    return "\n\n".join(parts) + "\n"


def render_schema(schema: Schema, *, level: int = 3, seen: set[str] | None = None) -> str:
    """One schema as Markdown: the root object under a heading named by its title, then every
    object type it references (through `$ref`/`$defs`), one level deeper, each exactly once.

    `seen` carries the `$defs` names already rendered by an earlier call on the same page, so
    a type shared by two documents is described once and linked from both."""
    seen = set() if seen is None else seen
    defs: dict[str, Schema] = schema.get("$defs", {})
    sections = [_object_section(str(schema.get("title", "Document")), schema, level)]
    for name in _referenced_defs(schema, defs):
        if name not in seen:
            seen.add(name)
            sections.append(_object_section(name, defs[name], level + 1))
    return "\n\n".join(sections)


def _object_section(name: str, schema: Schema, level: int) -> str:
    lines = [f"{'#' * level} {name}", ""]
    if description := schema.get("description"):
        lines += [description.strip(), ""]
    properties: dict[str, Schema] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines += ["| field | type | required | default | description |", "|---|---|---|---|---|"]
    for field, prop in properties.items():
        cells = [
            f"`{field}`",
            _type_cell(prop),
            "yes" if field in required else "no",
            _default(prop) if "default" in prop else "—",
            _cell(prop.get("description", "")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if schema.get("additionalProperties") is False:
        lines += ["", "No other fields are allowed."]
    return "\n".join(lines)


def _referenced_defs(schema: Schema, defs: dict[str, Schema]) -> list[str]:
    """`$defs` names in order of first reference, depth first from the root; unreferenced
    definitions last, by name."""
    order: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (name := _ref_name(ref)) in defs and name not in order:
                order.append(name)
                walk(defs[name])
            for key, value in node.items():
                if key != "$defs":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    return order + sorted(set(defs) - set(order))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _type_cell(prop: Schema) -> str:
    text = _type(prop)
    if constraints := _constraints(prop):
        text += "; " + ", ".join(constraints)
    return text.replace("|", "\\|")


def _type(prop: Schema) -> str:
    """A schema's type in words: `$ref`s as links, enums as `a | b`, lists as `list of …`."""
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        return f"[{name}](#{anchor(name)})"
    if "const" in prop:
        return _literal(prop["const"])
    if "enum" in prop:
        return " | ".join(_literal(v) for v in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            text = " | ".join(_type(option) for option in prop[key])
            if discriminator := prop.get("discriminator", {}).get("propertyName"):
                text += f", chosen by `{discriminator}`"
            return text
    kind = prop.get("type")
    if isinstance(kind, list):
        return " | ".join(_type({**prop, "type": k}) for k in kind)
    if kind == "array":
        items = prop.get("items") or {}
        return f"list of {_plural(_type(items))}" if items else "list"
    if kind == "object":
        values = prop.get("additionalProperties")
        return f"mapping of {_type(values)}" if isinstance(values, dict) and values else "mapping"
    if kind is None:
        return "any JSON value"
    return str(kind)


def _plural(text: str) -> str:
    if text == "any JSON value":
        return "JSON values"
    if text in ("string", "integer", "number", "boolean", "list", "mapping"):
        return text + "s"
    return text if " " in text or "|" in text else f"{text} items"


def _constraints(prop: Schema) -> list[str]:
    """Length, size, range and pattern limits of a schema (and of the options of a union)."""
    found: list[str] = []
    for option in prop.get("anyOf", []):
        found += _constraints(option)
    found += _range(prop, "minLength", "maxLength", "characters")
    found += _range(prop, "minItems", "maxItems", "items")
    found += _range(prop, "minProperties", "maxProperties", "entries")
    bounds = [
        f"{symbol} {_number(prop[key])}"
        for key, symbol in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        )
        if key in prop
    ]
    if bounds:
        found.append(" and ".join(bounds))
    if "pattern" in prop:
        found.append(f"matching `{prop['pattern']}`")
    return found


def _range(prop: Schema, low_key: str, high_key: str, unit: str) -> list[str]:
    low, high = prop.get(low_key), prop.get(high_key)
    if low is None and high is None:
        return []
    if low == high:
        return [f"exactly {low} {unit}"]
    if high is None:
        return ["not empty"] if low == 1 else [f"at least {low} {unit}"]
    if low is None:
        return [f"at most {high} {unit}"]
    return [f"{low}–{high} {unit}"]


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _literal(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def _default(prop: Schema) -> str:
    return _cell(f"`{json.dumps(prop['default'], ensure_ascii=False)}`")


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


# ----------------------------------------------------------------------------- the guide


def _marker_lines(lines: list[str]) -> tuple[int, int]:
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(begins) != 1 or len(ends) != 1 or begins[0] > ends[0]:
        raise ValueError(f"expected one {BEGIN!r} line followed by one {END!r} line")
    return begins[0], ends[0]


def extract_block(text: str) -> str:
    """What stands between the marker lines of a guide (without the markers)."""
    lines = text.splitlines(keepends=True)
    begin, end = _marker_lines(lines)
    return "".join(lines[begin + 1 : end])


def replace_block(text: str, block: str) -> str:
    """`text` with everything between its marker lines replaced by `block`; the rest unchanged."""
    lines = text.splitlines(keepends=True)
    begin, end = _marker_lines(lines)
    body = block if block.endswith("\n") else block + "\n"
    return "".join([*lines[: begin + 1], body, *lines[end:]])
