"""A problem file as an author writes it: fields in the order of the author guide, multi-line
text (statement, code, hints) as `|` block scalars, inputs and expected values as flow
collections on one line, sequences indented under their key, default values left out."""

from __future__ import annotations

from typing import Any

import yaml

from ..content.models import ProblemBody, TestCase

BLOCK_FIELDS = {"statement", "starter", "solution", "code"}
FLOW_FIELDS = {"args", "kwargs", "expected"}
QUOTED_FIELDS = {"stdin", "expected_stdout"}
"""Program input and output: one double-quoted line with `\\n`, as the author guide writes them."""


class _Block(str):
    """Text written as a `|` block scalar."""


class _Quoted(str):
    """Text written as one double-quoted scalar."""


class _FlowList(list[Any]):
    pass


class _FlowDict(dict[str, Any]):
    pass


class _AuthorDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Sequences indented under their key (`tests:` then `  - kind: …`), as authors do."""
        super().increase_indent(flow, False)


def _block(dumper: yaml.SafeDumper, text: _Block) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style="|")


def _quoted(dumper: yaml.SafeDumper, text: _Quoted) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style='"')


def _flow_list(dumper: yaml.SafeDumper, items: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(items), flow_style=True)


def _flow_dict(dumper: yaml.SafeDumper, items: _FlowDict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(items), flow_style=True)


_AuthorDumper.add_representer(_Block, _block)
_AuthorDumper.add_representer(_Quoted, _quoted)
_AuthorDumper.add_representer(_FlowList, _flow_list)
_AuthorDumper.add_representer(_FlowDict, _flow_dict)


def problem_yaml(body: ProblemBody) -> str:
    """The problem file's text; loading it gives `body` back."""
    data = body.model_dump(exclude_none=True, exclude={"tests", "limits"})
    data["tests"] = [_test(_test_fields(test)) for test in body.tests]
    if body.variants is not None:
        variants = body.variants
        data["variants"] = (
            {"params": [_FlowDict(p) for p in variants.params]}
            if variants.params is not None
            else {
                "names": _FlowList(variants.names or []),
                "generator": _multiline(variants.generator or ""),
            }
        )
    if body.limits is not None:
        data["limits"] = body.limits.model_dump(exclude_none=True)
    data["hints"] = [_multiline(hint) for hint in body.hints]
    ordered = {key: data[key] for key in _BODY_ORDER if key in data}
    for key in BLOCK_FIELDS & ordered.keys():
        ordered[key] = _multiline(ordered[key])
    return yaml.dump(ordered, Dumper=_AuthorDumper, sort_keys=False, allow_unicode=True, width=100)


_BODY_ORDER = (
    "statement", "language", "kind", "entry_point", "starter", "solution", "tests", "hints",
    "limits", "variants",
)  # fmt: skip


def _test_fields(test: TestCase) -> dict[str, Any]:
    """The fields an author writes: defaults left out, except an expected value or output given
    (an empty output, a `null` return), which only a variant problem's tests leave out."""
    data = test.model_dump(exclude_defaults=True)
    for key in ("expected", "expected_stdout"):
        if key in test.model_fields_set:
            data[key] = getattr(test, key)
    return data


def _test(data: dict[str, Any]) -> dict[str, Any]:
    """A test's fields, kind first and its default id (t1, t2 … by position) left out."""
    data.pop("id", None)
    test = {"kind": data.pop("kind")}
    for key, value in data.items():
        if key in FLOW_FIELDS:
            test[key] = _flow(value)
        elif key in BLOCK_FIELDS:
            test[key] = _multiline(value)
        elif key in QUOTED_FIELDS:
            test[key] = _Quoted(value)
        else:
            test[key] = value
    return test


def _flow(value: Any) -> Any:
    if isinstance(value, list):
        return _FlowList(_flow(v) for v in value)
    if isinstance(value, dict):
        return _FlowDict({k: _flow(v) for k, v in value.items()})
    return value


def _multiline(text: str) -> str:
    return _Block(text) if "\n" in text.rstrip("\n") or text.endswith("\n") else text
