"""Generated variants (issue 14): a generator function in the exercise's language, run in the
sandbox, makes each learner's parameter set from their workspace's seed. The loader's rules, the
generator's run (and every way it can go wrong), `validate`, `init`, `preview --seed`, `check`
and the editor."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from codegym import workspace
from codegym.config import SandboxLimits
from codegym.content import load_content
from codegym.content.variants import (
    GeneratedParamsMissing,
    generator_seed,
    has_generator,
    sample,
)
from codegym.sandbox import Sandbox
from codegym.validation import validate_problem
from codegym.variants import GeneratorError, generate_params, prepare_generated
from codegym.workspace import (
    STATE_DIR,
    default_path,
    generated_params_path,
    init_workspace,
    learner_problem,
    workspace_seed,
)

from .conftest import ROOT
from .lsp_support import diagnostics_of, save, wait_for
from .test_cli import codegym
from .test_variants import BODY, load_one

CONTENT = load_content(ROOT / "content")
GENERATED = [p for p in CONTENT.ordered() if has_generator(p)]
LIMITS = SandboxLimits()

GENERATOR_BODY = (
    BODY.split("variants:\n")[0].replace(
        "return 10 // (factor - 3) * x // (10 // (factor - 3))  * factor", "return x * factor"
    )
    + "variants:\n  names: [factor, big, word]\n  generator: |\nGENERATOR\n"
)
"""test_variants' problem, its parameters made by a generator (and a reference that works)."""


def with_generator(code: str) -> str:
    return GENERATOR_BODY.replace("GENERATOR\n", textwrap.indent(textwrap.dedent(code), "    "))


SEEDED = """\
    import random

    def variant(seed):
        draw = random.Random(seed)
        return {"factor": draw.randint(2, 9), "big": draw.randint(1000, 9999), "word": "ab"}
"""


# ----------------------------------------------------------------------------- the loader


def test_a_generator_needs_names_and_excludes_listed_sets(tmp_path: Path) -> None:
    assert load_one(tmp_path, with_generator(SEEDED)).errors == []
    no_names = with_generator(SEEDED).replace("  names: [factor, big, word]\n", "")
    assert "a generator needs names" in str(load_one(tmp_path, no_names).errors)
    both = with_generator(SEEDED).replace(
        "  names: [factor, big, word]\n", "  params: [{factor: 1}, {factor: 2}]\n  names: [x]\n"
    )
    assert "give either params" in str(load_one(tmp_path, both).errors)
    bad = with_generator(SEEDED).replace("[factor, big, word]", '[factor, big, word, "a b"]')
    assert "names: 'a b' is not a name" in str(load_one(tmp_path, bad).errors)


def test_placeholders_are_checked_against_the_declared_names(tmp_path: Path) -> None:
    body = with_generator(SEEDED).replace("Multiply by {{ factor }}.", "Times {{ factr }}.")
    [error] = load_one(tmp_path, body).errors
    assert (error.line, error.message) == (
        1,
        "statement: unknown parameter 'factr' (the parameters: big, factor, word)",
    )


# ----------------------------------------------------------------------------- the sandbox


@pytest.mark.parametrize("problem", GENERATED, ids=lambda p: p.id)
def test_each_learner_gets_their_own_parameters_the_same_on_every_run(
    problem, sandbox: Sandbox
) -> None:
    numbers = [generator_seed(seed, problem.id) for seed in range(4)]
    made = [generate_params(problem, number, sandbox, LIMITS) for number in numbers]
    assert all(sorted(params) == sorted(problem.body.variants.names) for params in made)
    assert len({json.dumps(params, sort_keys=True) for params in made}) == 4  # four learners
    assert generate_params(problem, numbers[0], sandbox, LIMITS) == made[0]


@pytest.mark.parametrize("problem", GENERATED, ids=lambda p: p.id)
def test_both_backends_generate_the_same_variant(
    problem, local_sandbox: Sandbox, docker_sandbox: Sandbox
) -> None:
    number = generator_seed(1234, problem.id)
    assert generate_params(problem, number, local_sandbox, LIMITS) == generate_params(
        problem, number, docker_sandbox, LIMITS
    )


BAD_GENERATORS = {
    "raises": ("def variant(seed):\n    raise ValueError('boom')\n", "failed: ValueError: boom"),
    "a list": ("def variant(seed):\n    return [seed]\n", "must return a mapping of"),
    "other names": (
        "def variant(seed):\n    return {'factor': 2}\n",
        "returned ['factor']; names declares ['big', 'factor', 'word']",
    ),
    "unseeded": (
        "import random\n\ndef variant(seed):\n"
        "    return {'factor': random.randint(2, 10**9), 'big': 5, 'word': 'x'}\n",
        "gave different parameters when called again with the same seed",
    ),
    "a set": (
        "def variant(seed):\n    return {'factor': {1, 2}, 'big': 5, 'word': 'x'}\n",
        "must return a",
    ),
    "no variant": ("def make(seed):\n    return {}\n", "failed"),
    "loops": ("def variant(seed):\n    while True:\n        pass\n", "failed"),
}


@pytest.mark.parametrize("case", BAD_GENERATORS, ids=str)
def test_a_generator_that_goes_wrong_is_refused_with_why(
    case: str, tmp_path: Path, local_sandbox: Sandbox
) -> None:
    code, why = BAD_GENERATORS[case]
    problem = load_one(tmp_path, with_generator(code)).get("times")
    with pytest.raises(GeneratorError) as raised:
        generate_params(problem, 7, local_sandbox, LIMITS)
    assert str(raised.value).startswith("times: the generator's variant(7) ")
    assert why in str(raised.value)


def test_validate_reports_a_broken_generator_at_its_variants_line(
    tmp_path: Path, local_sandbox: Sandbox
) -> None:
    body = with_generator(BAD_GENERATORS["raises"][0])
    findings = validate_problem(load_one(tmp_path, body).get("times"), local_sandbox, LIMITS)
    line = body.splitlines().index("variants:") + 1
    assert len(findings) == len(sample(load_one(tmp_path, body).get("times")))
    assert all(
        str(f).startswith(f"times.yaml:{line}: times: the generator's variant(") for f in findings
    ), findings
    assert "ValueError: boom" in str(findings[0])


def test_the_generator_runs_once_per_workspace_then_is_read_back(
    tmp_path: Path, local_sandbox: Sandbox
) -> None:
    content = load_one(tmp_path / "content", with_generator(SEEDED))
    problem = content.get("times")
    root = tmp_path / "workspace"
    (root / STATE_DIR).mkdir(parents=True)
    (root / STATE_DIR / "seed").write_text("77\n")
    assert init_workspace(root, content).not_made == ["times"]
    with pytest.raises(GeneratedParamsMissing):
        learner_problem(problem, root)
    assert prepare_generated([problem], root, local_sandbox, LIMITS) == []
    stored = json.loads(generated_params_path(root, "times").read_text())
    assert stored["seed"] == workspace_seed(root) == 77
    learner = learner_problem(problem, root)
    assert learner.variant is not None and learner.variant.params == stored["params"]
    assert learner.body.statement == f"Multiply by {stored['params']['factor']}.\n\n" + (
        f"Example: `times(2, {stored['params']['factor']})`\n"
    )
    [created] = init_workspace(root, content).created
    assert f"Multiply by {stored['params']['factor']}." in created.read_text()
    # Read back, not run again: a planted value is what the learner gets ...
    stored["params"]["factor"] = 1234
    generated_params_path(root, "times").write_text(json.dumps(stored))
    workspace._generated.clear()  # as in a new process: nothing in memory
    assert learner_problem(problem, root).variant.params["factor"] == 1234  # type: ignore[union-attr]
    # ... until the generator changes: then its old parameters are not used.
    changed = load_one(tmp_path / "changed", with_generator(SEEDED.replace("2, 9", "3, 9")))
    with pytest.raises(GeneratedParamsMissing):
        learner_problem(changed.get("times"), root)


# ----------------------------------------------------------------------------- the CLI


@pytest.mark.parametrize("problem", GENERATED, ids=lambda p: p.id)
def test_preview_with_a_seed_shows_the_generated_variant(problem) -> None:
    shown = codegym("preview", problem.id, "--seed", "42")
    assert shown.returncode == 0, shown.stderr
    heading = next(line for line in shown.stdout.splitlines() if "Tests of" in line)
    comment = "#" if problem.language == "python" else "//"
    assert heading.startswith(f"{comment} Tests of the variant generated for seed 42 (low = ")
    low, high = (
        int(re.search(rf"\b{name} = (-?\d+)", heading).group(1)) for name in ("low", "high")
    )
    assert re.search(rf"\*\*{low}\*\*.*\*\*{high}\*\*", shown.stdout)  # the statement's
    assert "{{" not in shown.stdout


def test_init_then_check_runs_the_generator_in_the_workspace(tmp_path: Path) -> None:
    made = codegym("init", tmp_path, "--course", "javascript")
    assert made.returncode == 0, made.stderr
    problem = CONTENT.get("js-count-in-band")
    stored = json.loads(generated_params_path(tmp_path, problem.id).read_text())
    low, high = stored["params"]["low"], stored["params"]["high"]
    path = tmp_path / default_path(problem)
    assert f"Your band runs from **{low}** up to **{high}**" in path.read_text()
    starter = codegym("check", path, "--json")
    assert starter.returncode == 1, starter.stdout + starter.stderr
    header = path.read_text().split("\n\n", 1)[0]
    path.write_text(header + "\n\n" + problem.body.solution)
    solved = codegym("check", path, "--json")
    assert json.loads(solved.stdout)["status"] == "pass", solved.stdout + solved.stderr


# ----------------------------------------------------------------------------- the editor


@pytest.mark.empty_workspace
@pytest.mark.asyncio
async def test_the_editor_opens_and_grades_the_learners_generated_variant(
    client: LanguageClient,
) -> None:
    root: Path = client.workspace_root  # type: ignore[attr-defined]
    (root / STATE_DIR).mkdir(exist_ok=True)
    uri = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="codegym.openExercise", arguments=["js-count-in-band"])
    )
    assert uri
    stored = json.loads(generated_params_path(root, "js-count-in-band").read_text())
    assert stored["seed"] == workspace_seed(root)
    values, low, high = (stored["params"][name] for name in ("values", "low", "high"))
    statement = await client.protocol.send_request_async(
        "codegym/statement", {"id": "js-count-in-band"}
    )
    assert f"Your band runs from **{low}** up to **{high}**" in statement.markdown
    path = root / default_path(CONTENT.get("js-count-in-band"))
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="javascript", version=1, text=path.read_text()
            )
        )
    )
    save(client, uri)
    found = await wait_for(lambda: diagnostics_of(client, uri))
    wanted = sum(1 for value in values if low <= value < high)
    assert any(
        d.message.startswith("your values: countInBand([")
        and d.message.endswith(f", {low}, {high}) returned {len(values)}, expected {wanted}")
        for d in found
    ), [d.message for d in found]
