"""The loader reports every problem with file:line, and never stops at the first."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from codegym.content import load_content

GOOD_BODY = """\
statement: |
  Return the sum.

  Example: `add(1, 2)` → `3`
language: python
kind: function
entry_point: add
starter: |
  def add(a, b):
      return 0
solution: |
  def add(a, b):
      return a + b
tests:
  - kind: call
    name: small
    args: [1, 2]
    expected: 3
  - kind: call
    name: zero
    visibility: hidden
    label: zeros
    args: [0, 0]
    expected: 0
hints: [think, plan, do]
"""


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def catalog(*problems: tuple[str, str]) -> str:
    entries = "".join(
        f"""
          - id: {pid}
            title: Problem {pid}
            difficulty: easy
            order: {i}
            file: {file}
"""
        for i, (pid, file) in enumerate(problems, start=1)
    )
    return f"""\
courses:
  - id: python
    title: Python
    language: python
    topics:
      - id: basics
        title: Basics
        concepts:
          - id: functions
            title: Functions
            explanation: A function is a named block of code.
        problems:{entries}
"""


def test_good_content_loads_with_lines(tmp_path: Path) -> None:
    write_tree(tmp_path, {"config.yaml": catalog(("add", "add.yaml")), "add.yaml": GOOD_BODY})
    content = load_content(tmp_path)
    assert content.errors == []
    problem = content.get("add")
    assert problem.body.tests[0].id == "t1"
    assert problem.lines["tests.t2"] == 19
    assert problem.lines["solution"] == 11


def test_every_problem_is_reported_at_once_with_file_and_line(tmp_path: Path) -> None:
    bad_yaml = "statement: |\n  x\nlanguage: [python\n"
    unknown_field = GOOD_BODY.replace("kind: function\n", "kind: function\ncolour: blue\n")
    hidden_without_label = GOOD_BODY.replace("    label: zeros\n", "")
    write_tree(
        tmp_path,
        {
            "config.yaml": catalog(
                ("a-bad-yaml", "bad.yaml"),
                ("b-unknown", "unknown.yaml"),
                ("c-missing", "nowhere.yaml"),
                ("d-label", "label.yaml"),
                ("d-label", "add.yaml"),
            ),
            "bad.yaml": bad_yaml,
            "unknown.yaml": unknown_field,
            "label.yaml": hidden_without_label,
            "add.yaml": GOOD_BODY,
        },
    )
    content = load_content(tmp_path)
    found = {(e.file, e.line): e.message for e in content.errors}
    assert ("bad.yaml", 4) in found and "invalid YAML" in found[("bad.yaml", 4)]
    assert found[("unknown.yaml", 7)] == "colour: unknown field 'colour'"
    assert any(f == "config.yaml" and "nowhere.yaml" in m for (f, _), m in found.items())
    assert found[("label.yaml", 19)] == (
        "tests.1: a hidden test needs a 'label' (what a learner may know of it)"
    )
    assert found[("config.yaml", 37)] == "duplicate problem id 'd-label' (first defined at line 31)"
    assert len(content.errors) == 5
    # The problems that did not load, each with its own errors; 'd-label' loaded from add.yaml.
    assert sorted(content.failed) == ["a-bad-yaml", "b-unknown", "c-missing"]
    [unknown] = content.failed["b-unknown"].errors
    assert (unknown.file, unknown.line, content.failed["b-unknown"].course) == (
        "unknown.yaml",
        7,
        "python",
    )


def test_wrong_types_point_at_their_line(tmp_path: Path) -> None:
    body = GOOD_BODY.replace("    expected: 3\n", "    expected: 3\n    compare: fuzzy\n")
    write_tree(tmp_path, {"config.yaml": catalog(("add", "add.yaml")), "add.yaml": body})
    [error] = load_content(tmp_path).errors
    assert error.file == "add.yaml"
    assert error.line == 19
    assert error.message.startswith("tests.0.compare: Input should be 'exact'")


def test_language_mismatch_and_unknown_concept(tmp_path: Path) -> None:
    body = GOOD_BODY.replace("language: python", "language: javascript")
    config = catalog(("add", "add.yaml")).replace(
        "order: 1\n", "order: 1\n            concepts: [loops]\n"
    )
    write_tree(tmp_path, {"config.yaml": config, "add.yaml": body})
    messages = [str(e) for e in load_content(tmp_path).errors]
    assert any("concept 'loops' is not in the glossary" in m for m in messages)
    assert any(m.startswith("add.yaml:5: language 'javascript'") for m in messages)


def test_missing_catalog(tmp_path: Path) -> None:
    content = load_content(tmp_path)
    assert content.catalog is None
    assert [str(e) for e in content.errors] == ["config.yaml: file not found"]


def test_bundled_content_is_valid() -> None:
    content = load_content(Path(__file__).resolve().parents[1] / "content")
    assert content.errors == []
    assert len(content.problems) >= 5


def test_schema_command_prints_json_schema() -> None:
    for document in ("problem", "catalog"):
        result = subprocess.run(
            [sys.executable, "-m", "codegym.cli", "schema", document],
            capture_output=True,
            text=True,
            check=True,
        )
        schema = json.loads(result.stdout)
        assert schema["title"] == f"Code Gym {document}"
        assert schema["additionalProperties"] is False
