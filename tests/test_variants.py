"""Variant problems (issue 14): placeholders, the workspace seed, the loader's rules, expected
values computed by the reference (and cached), `validate`, `preview --seed` and `check`."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from codegym.config import SandboxLimits
from codegym.content import load_content
from codegym.content.models import CallTest, CodeTest, StdioTest
from codegym.content.templates import names_in, substitute_text, substitute_value
from codegym.content.variants import for_seed, instantiate, sample, variant_index
from codegym.sandbox import Sandbox
from codegym.validation import validate_problem
from codegym.variants import VariantError, cache_path, digest, judged_problem
from codegym.workspace import (
    STATE_DIR,
    default_path,
    init_workspace,
    learner_problem,
    workspace_seed,
)

from .conftest import ROOT
from .lsp_support import diagnostics_of, open_file, replace_text, save, told_it_passes, wait_for
from .test_cli import codegym
from .test_content_loader import catalog, write_tree

CONTENT = load_content(ROOT / "content")
VARIANT_PROBLEMS = [p for p in CONTENT.ordered() if p.body.variants is not None]
LIMITS = SandboxLimits()

BODY = """\
statement: |
  Multiply by {{ factor }}.

  Example: `times(2, {{ factor }})`
language: python
kind: function
entry_point: times
starter: |
  def times(x, factor):
      return x
solution: |
  def times(x, factor):
      return 10 // (factor - 3) * x // (10 // (factor - 3))  * factor
tests:
  - kind: call
    name: small
    args: [2, "{{ factor }}"]
  - kind: call
    name: big
    visibility: hidden
    label: a big number
    args: ["{{ big }}", "{{ factor }}"]
  - kind: code
    name: body
    visibility: hidden
    label: a code test
    code: |
      return times({{ big }}, {{ factor }}) + len("{{ word }}")
hints: ["think of {{ factor }}", plan, do]
variants:
  params:
    - {factor: 2, big: 1000, word: "ab"}
    - {factor: 3, big: 2000, word: "abc"}
    - {factor: 5, big: 3000, word: "abcd"}
"""
"""A variant problem whose reference divides by zero on its second parameter set."""


def load_one(tmp_path: Path, body: str):
    write_tree(tmp_path, {"config.yaml": catalog(("times", "times.yaml")), "times.yaml": body})
    return load_content(tmp_path)


# ----------------------------------------------------------------------------- units


def test_a_whole_placeholder_becomes_the_value_an_embedded_one_its_text() -> None:
    params = {"k": 3, "xs": [1, 2], "word": "hi"}
    assert substitute_value(["{{ k }}", "{{xs}}", "k={{ k }}", {"a": "{{ word }}"}], params) == [
        3,
        [1, 2],
        "k=3",
        {"a": "hi"},
    ]
    assert substitute_text("f({{ xs }}, '{{ word }}') # {{ k}}", params) == "f([1, 2], 'hi') # 3"
    assert names_in({"a": ["{{ k }}", "{{ other }} and {{k}}"], "{{ key }}": 1}) == {"k", "other"}


def test_the_seed_chooses_a_parameter_set_stably_and_spreads_them() -> None:
    assert variant_index(7, "py-x", 5) == variant_index(7, "py-x", 5)
    assert variant_index(7, "py-x", 1000) != variant_index(7, "py-y", 1000)
    counts = Counter(variant_index(seed, "py-x", 5) for seed in range(1000))
    assert set(counts) == {0, 1, 2, 3, 4} and min(counts.values()) > 150
    problem = CONTENT.get("py-multiples-below")
    assert problem.body.variants is not None
    for seed in range(20):
        chosen = for_seed(problem, seed)
        assert chosen.variant is not None and chosen.variant.seed == seed
        index = variant_index(seed, problem.id, len(problem.body.variants.params))
        assert chosen.variant.params == problem.body.variants.params[index]


def test_an_instance_has_every_placeholder_substituted() -> None:
    problem = CONTENT.get("js-rotate-left")
    variant = instantiate(problem, 1)
    params = problem.body.variants.params[1]  # type: ignore[union-attr]
    assert f"by **{params['shift']}** places" in variant.body.statement
    dumped = variant.body.model_dump_json()
    assert "{{" not in dumped
    code = next(t for t in variant.body.tests if isinstance(t, CodeTest) and "const" in t.code)
    assert f"const queue = {json.dumps(params['queue'])};" in code.code
    call = next(
        t for t in variant.body.tests if isinstance(t, CallTest) and t.name == "numbers turn"
    )
    assert call.args == [params["numbers"], params["shift"]]
    assert problem.body.tests[0].args == ["{{ queue }}", "{{ shift }}"]  # the template unchanged


def test_sample_takes_all_or_five_spread_over_the_list(tmp_path: Path) -> None:
    problem = CONTENT.get("py-multiples-below")
    assert len(problem.body.variants.params) == 6  # type: ignore[union-attr]
    assert sample(problem) == [0, 1, 2, 4, 5]  # five, spread, the first and the last in
    many = "\n".join(f"    - {{factor: {n}, big: 1, word: x}}" for n in range(4, 16))
    content = load_one(tmp_path, BODY.split("  params:\n")[0] + "  params:\n" + many + "\n")
    assert sample(content.get("times")) == [0, 3, 6, 8, 11]


def test_the_workspace_seed_is_written_once_and_kept(tmp_path: Path) -> None:
    assert workspace_seed(tmp_path) == 0  # not a workspace: nothing written
    assert not (tmp_path / STATE_DIR).exists()
    init_workspace(tmp_path, CONTENT, course="python")
    seed_file = tmp_path / STATE_DIR / "seed"
    seed = int(seed_file.read_text())
    assert workspace_seed(tmp_path) == seed
    init_workspace(tmp_path, CONTENT, course="javascript")
    assert int(seed_file.read_text()) == seed
    problem = learner_problem(CONTENT.get("py-shift-letters"), tmp_path)
    written = (tmp_path / default_path(problem)).read_text()
    assert problem.variant is not None and problem.variant.seed == seed
    assert f"a shift of **{problem.variant.params['shift']}**" in written
    assert "{{" not in written


# ----------------------------------------------------------------------------- the loader


def test_loader_rejects_unknown_placeholders_and_expected_values_at_their_lines(
    tmp_path: Path,
) -> None:
    body = BODY.replace('args: [2, "{{ factor }}"]', 'args: [2, "{{ factr }}"]\n    expected: 4')
    body = body.replace("Multiply by {{ factor }}.", "Multiply by {{ factor }} {{ unit }}.")
    content = load_one(tmp_path, body)
    found = {(e.file, e.line): e.message for e in content.errors}
    lines = body.splitlines()
    assert found[("times.yaml", 1)] == (
        "statement: unknown parameter 'unit' (the parameters: big, factor, word)"
    )
    args_line = lines.index('    args: [2, "{{ factr }}"]') + 1
    assert found[("times.yaml", args_line)].startswith("tests.0.args: unknown parameter 'factr'")
    expected_line = lines.index("    expected: 4") + 1
    assert found[("times.yaml", expected_line)].startswith(
        "tests.0.expected: leave 'expected' out in a problem with variants"
    )
    assert "times" in content.failed


def test_loader_rules_for_solutions_hidden_tests_and_parameter_sets(tmp_path: Path) -> None:
    body = BODY.replace("return 10 //", "return {{ factor }} * 0 + 10 //")
    body = body.replace('args: ["{{ big }}", "{{ factor }}"]', "args: [1, 2]")
    body = body.replace('times({{ big }}, {{ factor }}) + len("{{ word }}")', "times(1, 2)")
    body = body.replace('{factor: 5, big: 3000, word: "abcd"}', "{factor: 5, big: 3000}")
    messages = [str(e) for e in load_one(tmp_path, body).errors]
    lines = body.splitlines()
    assert any(
        m.startswith(f"times.yaml:{lines.index('variants:') + 1}: variants: parameter set 3 names")
        for m in messages
    ), messages
    bad_name = body.replace("{factor: 5, big: 3000}", '{factor: 5, big: 3000, "a b": 1}')
    errors = str(load_one(tmp_path, bad_name).errors)
    assert "variants: parameter set 3: 'a b' is not a name" in errors
    body = body.replace("{factor: 5, big: 3000}", '{factor: 5, big: 3000, word: "abcd"}')
    messages = [str(e) for e in load_one(tmp_path, body).errors]
    solution = lines.index("solution: |") + 1
    assert (
        f"times.yaml:{solution}: solution: the solution uses the parameter 'factor'"
        in "\n".join(messages)
    )
    assert any("variants: no hidden test's input uses a parameter" in m for m in messages)


def test_a_parameter_that_cannot_reach_the_function_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    """Parameters are substituted into tests' inputs: the same rules as for arguments."""
    body = BODY.replace(
        '{factor: 3, big: 2000, word: "abc"}', "{factor: 3, big: 2024-01-05, word: x}"
    )
    content = load_one(tmp_path, body)
    line = body.splitlines().index("    - {factor: 3, big: 2024-01-05, word: x}") + 1
    messages = [str(e) for e in content.errors]
    assert any(
        m.startswith(f"times.yaml:{line}: parameter 'big' of set 2: ") and "quote" in m
        for m in messages
    ), messages
    assert "times" in content.failed


def test_a_problem_without_variants_still_needs_its_expected_values(tmp_path: Path) -> None:
    body = textwrap.dedent("""\
        statement: "Example: `times(1, 2)`"
        language: python
        kind: script
        starter: "print(0)"
        solution: "print(1)"
        tests:
          - kind: stdio
            name: one
            stdin: "{{ x }}"
        hints: [a, b, c]
    """)
    [error] = load_one(tmp_path, body).errors
    assert (error.line, error.message) == (
        7,
        "tests.0.expected_stdout: Field required (unless the problem has variants)",
    )


# ----------------------------------------------------------------------------- the sandbox


@pytest.mark.parametrize("problem", VARIANT_PROBLEMS, ids=lambda p: p.id)
def test_every_variant_exercise_validates(problem, sandbox: Sandbox) -> None:
    assert validate_problem(problem, sandbox, LIMITS) == []


def test_validate_names_the_parameter_set_whose_reference_crashes(
    tmp_path: Path, local_sandbox: Sandbox
) -> None:
    content = load_one(tmp_path, BODY)
    assert content.errors == []
    findings = [str(f) for f in validate_problem(content.get("times"), local_sandbox, LIMITS)]
    line = BODY.splitlines().index('    - {factor: 3, big: 2000, word: "abc"}') + 1
    assert findings and all(
        f.startswith(f"times.yaml:{line}: times: parameter set 2: ") for f in findings
    )
    assert "ZeroDivisionError" in findings[0]
    assert len(findings) == 3  # every test of that set; the other two sets are clean


def test_expected_values_are_computed_once_then_read_from_the_workspace(
    tmp_path: Path, local_sandbox: Sandbox
) -> None:
    (tmp_path / STATE_DIR).mkdir()
    problem = learner_problem(CONTENT.get("py-chunk-sums"), tmp_path)
    judged = judged_problem(problem, local_sandbox, LIMITS, tmp_path)
    assert judged.variant is not None and judged.variant.computed
    example = next(t for t in judged.body.tests if t.name == "the example")
    assert isinstance(example, StdioTest) and example.expected_stdout == "6\n15\n7\n"
    cached = json.loads(cache_path(tmp_path, problem.id).read_text())
    assert cached["digest"] == digest(problem) and cached["seed"] == workspace_seed(tmp_path)
    cached["expected"][str(example.id)] = "from the cache\n"
    cache_path(tmp_path, problem.id).write_text(json.dumps(cached))
    again = judged_problem(problem, local_sandbox, LIMITS, tmp_path)
    assert next(t for t in again.body.tests if t.id == example.id).expected_stdout == (
        "from the cache\n"
    )
    cached["digest"] = "another version of the exercise"
    cache_path(tmp_path, problem.id).write_text(json.dumps(cached))
    fresh = judged_problem(problem, local_sandbox, LIMITS, tmp_path)
    assert next(t for t in fresh.body.tests if t.id == example.id).expected_stdout == "6\n15\n7\n"


def test_a_failing_reference_is_a_variant_error(tmp_path: Path, local_sandbox: Sandbox) -> None:
    problem = instantiate(load_one(tmp_path, BODY).get("times"), 1)
    with pytest.raises(VariantError, match="fails test 't1' of variant 2: ZeroDivisionError"):
        judged_problem(problem, local_sandbox, LIMITS)


# ----------------------------------------------------------------------------- the CLI


def two_seeds_with_other_variants(problem_id: str) -> tuple[int, int]:
    problem = CONTENT.get(problem_id)
    count = len(problem.body.variants.params)  # type: ignore[union-attr]
    first = variant_index(1, problem_id, count)
    other = next(s for s in range(2, 100) if variant_index(s, problem_id, count) != first)
    return 1, other


@pytest.mark.parametrize("exercise", ["py-shift-letters", "js-every-kth"])
def test_two_learners_get_other_hidden_inputs_and_the_reference_passes_both(
    tmp_path: Path, exercise: str
) -> None:
    problem = CONTENT.get(exercise)
    hidden_inputs = []
    for seed in two_seeds_with_other_variants(exercise):
        root = tmp_path / f"seed-{seed}"
        (root / STATE_DIR).mkdir(parents=True)
        (root / STATE_DIR / "seed").write_text(f"{seed}\n")
        assert codegym("init", root, "--course", problem.course.id).returncode == 0
        learner = learner_problem(problem, root)
        hidden_inputs.append(
            [t.model_dump(include={"args", "stdin", "code"}) for t in learner.body.tests
             if t.visibility == "hidden"]
        )  # fmt: skip
        path = root / default_path(problem)
        starter = codegym("check", path, "--json")
        assert starter.returncode == 1, starter.stderr
        header = path.read_text().split("\n\n", 1)[0]
        path.write_text(header + "\n\n" + problem.body.solution)
        solved = codegym("check", path, "--json")
        assert solved.returncode == 0, solved.stdout + solved.stderr
        assert json.loads(solved.stdout)["status"] == "pass"
        assert cache_path(root, exercise).is_file()
    assert hidden_inputs[0] != hidden_inputs[1]


def test_preview_with_a_seed_shows_the_variant_and_its_expected_values() -> None:
    problem = CONTENT.get("py-multiples-below")
    shown = codegym("preview", "py-multiples-below", "--seed", "42")
    assert shown.returncode == 0, shown.stderr
    variant = for_seed(problem, 42)
    assert variant.variant is not None
    k = variant.variant.params["k"]
    assert f"the multiples of **{k}**" in shown.stdout
    count = len(problem.body.variants.params)  # type: ignore[union-attr]
    assert f"# Tests of variant {variant.variant.index + 1} of {count} (seed 42; k = {k}" in (
        shown.stdout
    )
    assert "#     sum_multiples(3, 10) → 18" in shown.stdout
    assert f"#     sum_multiples({k}, {k}) → 0" in shown.stdout
    assert "{{" not in shown.stdout


# ----------------------------------------------------------------------------- the editor


@pytest.mark.asyncio
async def test_the_language_server_grades_the_learners_variant(client: LanguageClient) -> None:
    root: Path = client.workspace_root  # type: ignore[attr-defined]
    problem = learner_problem(CONTENT.get("py-multiples-below"), root)
    assert problem.variant is not None
    k, small = problem.variant.params["k"], problem.variant.params["small"]
    path = root / default_path(problem)
    uri = open_file(client, path)
    doc = types.TextDocumentIdentifier(uri=uri)
    header = await client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=types.Position(line=1, character=3))
    )
    assert header is not None
    assert f"the multiples of **{k}**" in header.contents.value  # type: ignore[union-attr]

    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    wanted = sum(range(k, small, k))
    assert any(
        d.message == f"your multiples below a small number: sum_multiples({k}, {small}) returned "
        f"0, expected {wanted}"
        for d in found
    ), [d.message for d in found]
    assert json.loads(cache_path(root, problem.id).read_text())["seed"] == workspace_seed(root)

    starter = path.read_text()
    replace_text(client, uri, 2, starter.split("\n\n", 1)[0] + "\n\n" + problem.body.solution)
    save(client, uri)
    await wait_for(lambda: not diagnostics_of(client, uri))
    await wait_for(lambda: told_it_passes(client))
