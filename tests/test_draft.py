"""`codegym draft` against the scripted Ollama server (real HTTP, the real `ollama` client): one
script per way a draft can fail, each followed by a good answer, plus all attempts failing and
the model offline. Every expected value in a written file must come from a reference run."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegym.authoring.draft import MAX_RETRIES, DraftReport, Offline, draft
from codegym.authoring.placement import Place
from codegym.authoring.proposal import DraftProposal
from codegym.cli import main
from codegym.config import SandboxLimits, TutorSettings
from codegym.content import load_content
from codegym.sandbox import Sandbox
from codegym.tutor.llm import Message, OllamaModel
from codegym.validation import validate_problem

from .scripted_ollama import DEFAULT_MODEL, Reply, ScriptedOllama

BUNDLED = Path(__file__).resolve().parents[1] / "content"
LIMITS = SandboxLimits(wall_s=5, test_cpu_s=1)
NEVER = 999_999
"""The `expected` value the model slips into its answers: it must never reach a file."""

CATALOG = """\
# A content folder with two empty topics (drafts are added to them).
courses:
  - id: python
    title: Python
    language: python
    topics:
      - id: py-lists
        title: Lists
        concepts:
          - id: py-indexing
            title: Indexing
            explanation: Items are numbered from 0.
  - id: javascript
    title: JavaScript
    language: javascript
    topics:
      - id: js-arrays
        title: Arrays
        problems: []
"""

PY_SOLUTION = """\
def count_peaks(numbers):
    return sum(
        1
        for i in range(1, len(numbers) - 1)
        if numbers[i - 1] < numbers[i] > numbers[i + 1]
    )
"""


def good_python(**changes: Any) -> dict[str, Any]:
    proposal: dict[str, Any] = {
        "id": "py-count-peaks",
        "title": "Count the peaks",
        "difficulty": "easy",
        "kind": "function",
        "concepts": ["py-indexing", "not-in-the-glossary"],
        "entry_point": "count_peaks",
        "statement": "# Count the peaks\n\nReturn how many numbers are larger than both "
        "neighbours.\n\n## Examples\n\n`count_peaks([1, 3, 2])` is `1`.\n\n## Constraints\n\n"
        "- Up to 1000 integers.\n\n## Edge cases\n\n- Fewer than three numbers: `0`.\n",
        "starter": "def count_peaks(numbers):\n    return 0\n",
        "solution": PY_SOLUTION,
        "tests": [
            {"kind": "call", "name": "example", "args": [[1, 3, 2]], "expected": NEVER},
            {"kind": "call", "name": "two peaks", "args": [[1, 5, 1, 5, 1]]},
            {"kind": "call", "name": "flat", "args": [[2, 2, 2]], "expected_stdout": "x"},
            {"kind": "call", "name": "repeat of the first", "args": [[1, 3, 2]]},
            {
                "kind": "call",
                "name": "one number",
                "visibility": "hidden",
                "label": "fewer than three numbers",
                "args": [[7]],
            },
        ],
        "hints": [
            "Look at each number with its two neighbours.",
            "The first and last numbers have only one neighbour.",
            "Count the positions from 1 to len - 2 where both comparisons hold.",
        ],
    }
    return proposal | changes


def good_javascript() -> dict[str, Any]:
    return good_python(
        id="js-count-peaks",
        concepts=[],
        entry_point="countPeaks",
        starter="function countPeaks(numbers) {\n  return 0;\n}\n",
        solution="function countPeaks(numbers) {\n  let peaks = 0;\n"
        "  for (let i = 1; i < numbers.length - 1; i++) {\n"
        "    if (numbers[i - 1] < numbers[i] && numbers[i] > numbers[i + 1]) peaks++;\n  }\n"
        "  return peaks;\n}\n",
    )


# One broken answer of each kind the loop must survive (each then answered by a good one).
BROKEN: dict[str, str] = {
    "garbage": "Sure! Here is a great exercise about peaks: {",
    "shape": json.dumps({"exercise": "peaks"}),
    "schema": json.dumps(good_python(hints=["only one hint"])),
    "too_few_tests": json.dumps(good_python(tests=good_python()["tests"][:2])),
    "crash": json.dumps(
        good_python(solution="def count_peaks(numbers):\n    return numbers[2] and 1\n")
    ),
    "timeout": json.dumps(
        good_python(
            solution="def count_peaks(numbers):\n    while len(numbers) < 3:\n        pass\n"
            "    return 1\n"
        )
    ),
    "starter_passes": json.dumps(good_python(starter=PY_SOLUTION)),
}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    root.mkdir()
    (root / "config.yaml").write_text(CATALOG, encoding="utf-8")
    return root


def settings_for(url: str) -> TutorSettings:
    return TutorSettings(host=url, timeout_s=20, preload=False, cache=False)


def run_draft(
    root: Path,
    replies: list[Reply],
    sandbox: Sandbox,
    *,
    language: str = "python",
    topic: str = "py-lists",
    **options: Any,
) -> tuple[DraftReport, list[dict[str, Any]]]:
    """The draft loop with the real Ollama client against a scripted server."""
    with ScriptedOllama(replies) as ollama:

        async def go() -> DraftReport:
            model = OllamaModel(settings_for(ollama.url))

            async def ask(messages: list[Message]) -> str:
                text, _ = await model.json_text(messages, DraftProposal)
                return text

            try:
                place = Place.find(load_content(root), language, topic)
                return await draft("peaks in a list", place, ask, sandbox, LIMITS, **options)
            finally:
                await model.close()

        report = asyncio.run(go())
        return report, list(ollama.chats())


def assert_validates(root: Path, report: DraftReport, sandbox: Sandbox) -> dict[str, Any]:
    """The content folder loads without errors and `validate`'s checks pass on the draft;
    returns the written file's data."""
    content = load_content(root)
    assert content.errors == []
    assert report.problem_id is not None
    assert validate_problem(content.get(report.problem_id), sandbox, LIMITS) == []
    assert report.path is not None
    data = yaml.safe_load(report.path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_success_first_time(content_dir: Path, local_sandbox: Sandbox) -> None:
    report, chats = run_draft(content_dir, [Reply(json.dumps(good_python()))], local_sandbox)
    assert [a.failure for a in report.attempts] == [None]
    assert len(chats) == 1
    test_fields = chats[0]["format"]["$defs"]["ProposedTest"]["properties"]
    assert not any(name.startswith("expected") for name in test_fields)  # inputs only
    assert report.path == content_dir / "python" / "py-lists" / "py-count-peaks.yaml"
    data = assert_validates(content_dir, report, local_sandbox)
    # Computed by the reference, never the model's 999 999; the repeated input is dropped.
    assert [t["expected"] for t in data["tests"]] == [1, 2, 0, 0]
    assert str(NEVER) not in json.dumps(data) and "expected_stdout" not in json.dumps(data)
    assert list(data) == ["statement", "language", "kind", "entry_point", "starter", "solution",
                          "tests", "hints"]  # fmt: skip
    text = report.path.read_text(encoding="utf-8")
    assert "solution: |\n  def count_peaks(numbers):\n" in text
    catalog = yaml.safe_load((content_dir / "config.yaml").read_text(encoding="utf-8"))
    entry = catalog["courses"][0]["topics"][0]["problems"][0]
    assert entry == {"id": "py-count-peaks", "title": "Count the peaks", "difficulty": "easy",
                     "order": 1, "concepts": ["py-indexing"],
                     "file": "python/py-lists/py-count-peaks.yaml"}  # fmt: skip


@pytest.mark.parametrize("broken", sorted(BROKEN))
def test_a_failed_attempt_is_fed_back_then_the_next_succeeds(
    broken: str, content_dir: Path, local_sandbox: Sandbox
) -> None:
    replies = [Reply(BROKEN[broken], times=1), Reply(json.dumps(good_python()))]
    report, chats = run_draft(content_dir, replies, local_sandbox)
    assert [a.failure for a in report.attempts] == [broken, None]
    assert report.ok
    assert_validates(content_dir, report, local_sandbox)
    # The second request carries the first answer and what was wrong with it.
    second = chats[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert second[1]["content"] == BROKEN[broken]
    assert report.attempts[0].detail in second[2]["content"]


def test_the_feedback_says_what_failed(content_dir: Path, local_sandbox: Sandbox) -> None:
    replies = [Reply(BROKEN["crash"], times=1), Reply(json.dumps(good_python()))]
    report, _ = run_draft(content_dir, replies, local_sandbox)
    assert "IndexError" in report.attempts[0].detail
    assert "one number" in report.attempts[0].line()


def test_every_attempt_failing_writes_nothing(content_dir: Path, local_sandbox: Sandbox) -> None:
    before = (content_dir / "config.yaml").read_text(encoding="utf-8")
    order = ["garbage", "schema", "crash", "starter_passes", "timeout"]
    replies = [Reply(BROKEN[kind], times=1) for kind in order]
    report, chats = run_draft(content_dir, replies, local_sandbox)
    assert [a.failure for a in report.attempts] == order[: 1 + MAX_RETRIES]
    assert len(chats) == 1 + MAX_RETRIES
    assert not report.ok and report.path is None
    assert (content_dir / "config.yaml").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in content_dir.rglob("*")) == ["config.yaml"]


def test_javascript_draft(content_dir: Path, local_sandbox: Sandbox) -> None:
    replies = [
        Reply(BROKEN["garbage"], times=1),
        Reply(json.dumps(good_javascript())),
    ]
    report, _ = run_draft(
        content_dir, replies, local_sandbox, language="javascript", topic="js-arrays"
    )
    assert [a.failure for a in report.attempts] == ["garbage", None]
    data = assert_validates(content_dir, report, local_sandbox)
    assert data["language"] == "javascript"
    assert [t["expected"] for t in data["tests"]] == [1, 2, 0, 0]


def test_on_docker(content_dir: Path, docker_sandbox: Sandbox) -> None:
    replies = [Reply(BROKEN["starter_passes"], times=1), Reply(json.dumps(good_python()))]
    report, _ = run_draft(content_dir, replies, docker_sandbox)
    assert [a.failure for a in report.attempts] == ["starter_passes", None]
    assert_validates(content_dir, report, docker_sandbox)


def test_ids_and_files_are_never_taken_twice(content_dir: Path, local_sandbox: Sandbox) -> None:
    replies = [Reply(json.dumps(good_python()))]
    first, _ = run_draft(content_dir, replies, local_sandbox)
    second, _ = run_draft(content_dir, replies, local_sandbox)
    assert (first.problem_id, second.problem_id) == ("py-count-peaks", "py-count-peaks-2")
    assert first.path is not None and second.path is not None
    assert first.path.read_text(encoding="utf-8") == second.path.read_text(encoding="utf-8")
    topic = load_content(content_dir).catalog.courses[0].topics[0]  # type: ignore[union-attr]
    assert [(p.id, p.order) for p in topic.problems] == [
        ("py-count-peaks", 1),
        ("py-count-peaks-2", 2),
    ]


def test_added_to_a_real_topic(tmp_path: Path, local_sandbox: Sandbox) -> None:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED, root)
    before = load_content(root)
    replies = [Reply(json.dumps(good_python()))]
    report, _ = run_draft(root, replies, local_sandbox, problem_id="py-peaks")
    after = load_content(root)
    assert after.errors == []
    assert set(after.problems) == set(before.problems) | {"py-peaks"}
    assert (
        after.get("py-peaks").meta.order
        == max(p.meta.order for p in before.problems.values() if p.topic.id == "py-lists") + 1
    )
    assert_validates(root, report, local_sandbox)


def test_offline_no_model(content_dir: Path, local_sandbox: Sandbox) -> None:
    with ScriptedOllama([], models=["another-model"]) as ollama:

        async def go() -> None:
            model = OllamaModel(settings_for(ollama.url))

            async def ask(messages: list[Message]) -> str:
                return (await model.json_text(messages, DraftProposal))[0]

            place = Place.find(load_content(content_dir), "python", "py-lists")
            try:
                await draft("peaks", place, ask, local_sandbox, LIMITS)
            finally:
                await model.close()

        with pytest.raises(Offline, match="not installed"):
            asyncio.run(go())


# ------------------------------------------------------------------------------------ the CLI


def codegym_draft(root: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codegym.cli", "draft", "peaks in a list", "--language",
         "python", "--topic", "py-lists", "--content", str(root), "--backend", "local", *extra],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "OLLAMA_HOST": url, "CODEGYM_TUTOR_MODEL": DEFAULT_MODEL},
    )  # fmt: skip


def test_cli_writes_a_file_that_codegym_validate_accepts(content_dir: Path) -> None:
    replies = [Reply(BROKEN["shape"], times=1), Reply(json.dumps(good_python()))]
    with ScriptedOllama(replies) as ollama:
        done = codegym_draft(content_dir, ollama.url, "--id", "py-peaks")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("attempt 1: the answer is not an exercise: ")
    assert lines[1].startswith("attempt 2: accepted: py-peaks, 4 tests (1 hidden)")
    assert lines[2].startswith(f"wrote {content_dir / 'python' / 'py-lists' / 'py-peaks.yaml'}")
    assert len(lines) == 3
    validated = subprocess.run(
        [sys.executable, "-m", "codegym.cli", "validate", "--content", str(content_dir),
         "--backend", "local"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "1 problems, 4 tests" in validated.stdout


def test_cli_json_is_one_document(content_dir: Path) -> None:
    with ScriptedOllama([Reply(json.dumps(good_python()))]) as ollama:
        done = codegym_draft(content_dir, ollama.url, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["offline"] is None
    assert report["path"] == str(content_dir / "python" / "py-lists" / "py-count-peaks.yaml")
    assert [a["failure"] for a in report["attempts"]] == [None]


def test_cli_every_attempt_failing(content_dir: Path) -> None:
    with ScriptedOllama([Reply(BROKEN["garbage"])]) as ollama:
        done = codegym_draft(content_dir, ollama.url, "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["path"] is None
    assert [a["failure"] for a in report["attempts"]] == ["garbage"] * (1 + MAX_RETRIES)
    assert "nothing was written" in done.stderr


def test_cli_offline_exits_2(content_dir: Path) -> None:
    with ScriptedOllama([]) as ollama:
        url = ollama.url  # the server is gone after this block: nothing listens there
    done = codegym_draft(content_dir, url)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"codegym: the model is offline: cannot reach Ollama at {url}; nothing was drafted"
    ]
    assert sorted(p.name for p in content_dir.rglob("*")) == ["config.yaml"]


def test_cli_with_the_tutor_turned_off_exits_2(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODEGYM_TUTOR", "off")
    argv = [
        "draft",
        "x",
        "--language",
        "python",
        "--topic",
        "py-lists",
        "--content",
        str(content_dir),
    ]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "codegym: the model is offline: the tutor's model is turned off (CODEGYM_TUTOR=off); "
        "nothing was drafted\n"
    )


def test_cli_usage_errors_are_one_line(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["draft", "x", "--language", "python", "--content", str(content_dir)]
    assert main([*base, "--topic", "js-arrays"]) == 2
    (content_dir / "taken.yaml").write_text("", encoding="utf-8")
    assert main([*base, "--topic", "py-lists", "--out", str(content_dir / "taken.yaml")]) == 2
    assert main([*base, "--topic", "py-lists", "--out", "/elsewhere/p.yaml"]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"codegym: no python topic 'js-arrays' in {content_dir} (its python topics: py-lists)",
        f"codegym: {content_dir / 'taken.yaml'} exists: drafts never overwrite a file",
        f"codegym: /elsewhere/p.yaml is not inside the content folder {content_dir}",
    ]
