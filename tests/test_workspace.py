"""Exercise files: rendered with a marker, recognised after renames, never overwritten."""

from __future__ import annotations

from pathlib import Path

from codegym.content import load_content
from codegym.content.variants import has_generator
from codegym.workspace import (
    exercise_id_of,
    find_exercises,
    header_lines,
    header_span,
    init_workspace,
    render_exercise,
)

from .conftest import ROOT, make_problem


def test_render_has_marker_and_starter() -> None:
    problem = make_problem(
        solution="def f():\n    return 1\n",
        tests=[{"kind": "call", "name": "one", "args": [], "expected": 1}],
        entry_point="f",
    )
    text = render_exercise(problem)
    assert exercise_id_of(text) == "test-problem"
    assert text.rstrip().endswith("return 1")
    assert all(line.startswith("#") for line in text.split("\n\n")[0].splitlines())


def test_marker_in_javascript_and_not_in_code() -> None:
    assert exercise_id_of("// codegym: exercise js-sum\nfunction f() {}\n") == "js-sum"
    assert exercise_id_of("x = 'codegym: exercise nope'\n") is None


def test_init_writes_once_and_never_overwrites(tmp_path: Path) -> None:
    content = load_content(ROOT / "content")
    first = init_workspace(tmp_path, content)
    generated = [p.id for p in content.ordered() if has_generator(p)]
    assert generated and first.not_made == generated  # their generators have not run
    assert len(first.created) == len(content.problems) - len(generated)
    edited = first.created[0]
    edited.write_text(edited.read_text() + "\n# my work\n")
    moved = tmp_path / "renamed.py" if edited.suffix == ".py" else tmp_path / "renamed.js"
    edited.rename(moved)
    second = init_workspace(tmp_path, content)
    assert second.created == []
    assert moved.read_text().endswith("# my work\n")
    assert find_exercises(tmp_path)[exercise_id_of(moved.read_text()) or ""] == moved


def test_init_one_course(tmp_path: Path) -> None:
    content = load_content(ROOT / "content")
    result = init_workspace(tmp_path, content, course="javascript")
    assert result.created and all(p.suffix == ".js" for p in result.created)


def test_header_span_is_the_comment_block_around_the_marker() -> None:
    content = load_content(ROOT / "content")
    for exercise_id in ("py-sum-evens", "js-group-by"):
        problem = content.get(exercise_id)
        header = header_lines(problem)
        text = render_exercise(problem)
        assert header_span(text) == (0, 2, len(header) - 1)
        # A learner who shortened the statement and wrote code under a comment of their own.
        comment = header[0][:2].strip()
        edited = "\n".join([*header[:5], *header[-2:]]) + f"\n\n{comment} mine\nx = 1\n"
        assert header_span(edited) == (0, 2, 6)
    assert header_span("x = 1\n# codegym: exercise\n") is None
