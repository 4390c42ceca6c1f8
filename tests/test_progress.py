"""The progress store: atomic, locked, and loud about corruption."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

from codegym.grading import (
    Failure,
    HiddenFailure,
    HiddenResult,
    PublicResult,
    TestVerdict,
    Verdict,
)
from codegym.progress import ProgressStore
from codegym.sandbox.types import ErrorInfo

from .conftest import make_problem


def verdict(passed_public: int, passed_hidden: int, status: str = "fail") -> Verdict:
    tests: list[TestVerdict] = [
        PublicResult(
            id=f"p{i}",
            name="p",
            visibility="public",
            label="p",
            failure=None if i < passed_public else Failure("wrong_answer"),
        )
        for i in range(4)
    ]
    tests += [
        HiddenResult(id=f"h{i}", name="h", label="h",
                     failure=None if i < passed_hidden else HiddenFailure("wrong_answer"))
        for i in range(3)
    ]  # fmt: skip
    return Verdict(exercise="x", status=status, backend="local", duration_ms=1, tests=tests)


def test_attempts_best_scores_and_solve(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    assert store.get("x").status == "new"
    assert store.record("x", verdict(1, 0)) == ("new", "attempted")
    assert store.record("x", verdict(3, 1)) == ("attempted", "attempted")
    assert store.record("x", verdict(2, 0)) == ("attempted", "attempted")
    entry = store.get("x")
    assert (entry.attempts, entry.best_public, entry.best_hidden) == (3, [3, 4], [1, 3])
    assert store.record("x", verdict(4, 3, "pass")) == ("attempted", "solved")
    solved_at = store.get("x").solved_at
    store.record("x", verdict(0, 0))
    assert store.get("x").solved_at == solved_at  # a solve is never lost
    document = json.loads(store.path.read_text())
    assert document["version"] == 2 and document["exercises"]["x"]["attempts"] == 5


def test_corrupt_file_is_moved_aside(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    store.directory.mkdir()
    store.path.write_text("{ not json")
    assert store.load() == {}
    aside = list(store.directory.glob("progress.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_text() == "{ not json"
    store.record("x", verdict(1, 0))
    assert store.get("x").attempts == 1


def _hammer(root: str, name: str) -> None:
    store = ProgressStore(Path(root))
    for _ in range(25):
        store.record(name, verdict(1, 0))


def test_two_writers_lose_no_update(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hammer, args=(str(tmp_path), n)) for n in ("a", "b", "a")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    progress = ProgressStore(tmp_path).load()
    assert progress["a"].attempts == 50
    assert progress["b"].attempts == 25
    assert not list((tmp_path / ".codegym").glob(".progress-*.tmp"))


def test_each_attempt_is_kept_with_what_a_learner_may_know(tmp_path: Path) -> None:
    problem = make_problem(
        solution="def f(xs): return 0",
        entry_point="f",
        tests=[
            {"kind": "call", "name": "empty", "args": [[]], "expected": 0},
            {"kind": "call", "name": "secret", "args": [[7001, 8002]], "expected": 15003,
             "visibility": "hidden", "label": "two numbers"},
        ],
    )  # fmt: skip
    crash = ErrorInfo(type="IndexError", message="list index out of range", line=1)
    tests: list[TestVerdict] = [
        PublicResult(id="t1", name="empty", visibility="public", label="empty",
                     failure=Failure("runtime_error", input="f([])", error=crash)),
        HiddenResult(id="t2", name="secret", label="two numbers",
                     failure=HiddenFailure("wrong_answer", error_type=None)),
    ]  # fmt: skip
    failing = Verdict(exercise="x", status="fail", backend="local", duration_ms=1, tests=tests)
    store = ProgressStore(tmp_path)
    store.record_hint("x", 2)
    store.record("x", failing, problem)
    store.record("x", verdict(4, 3, "pass"))
    progress = store.snapshot()
    first, second = progress.history
    assert first.categories == {"public": {"runtime_error": 1}, "hidden": {"wrong_answer": 1}}
    assert (first.errors, first.signs, first.hint_level) == ({"IndexError": 1}, ["empty_input"], 2)
    assert (second.status, second.hint_level, second.errors) == ("pass", 2, {})
    entry = progress.exercises["x"]
    assert (entry.solved_after, entry.max_hint_level, entry.hint_level) == (2, 2, 0)
    stored = store.path.read_text()
    # Values no timestamp can contain, so the check does not depend on the clock.
    assert "7001" not in stored and "15003" not in stored and "list index" not in stored


def test_the_history_keeps_the_last_attempts(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("codegym.progress.HISTORY_LIMIT", 3)
    store = ProgressStore(tmp_path)
    for name in "abcde":
        store.record(name, verdict(1, 0))
    assert [a.exercise for a in store.snapshot().history] == ["c", "d", "e"]
    assert store.get("a").attempts == 1  # the exercises' own records stay
