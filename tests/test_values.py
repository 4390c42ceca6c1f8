"""Host-side canonical values: one form for expected and reported values (sets and maps in any
order), comparison strict where it matters and tolerant where asked, malformed values refused."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from codegym.grading import Failure, message, verdicts
from codegym.grading.values import NotCanonical, canonical, display, values_match
from codegym.sandbox.types import CaseOutcome, LoadOutcome, RunReport

from .conftest import make_problem


@pytest.mark.parametrize(
    ("expected", "actual", "mode", "ok"),
    [
        (6, 6, "exact", True),
        (6, 6.0, "exact", True),  # 6.0 == 6, as Python itself says
        (1, True, "exact", False),  # but a bool is not a number
        (0, False, "exact", False),
        ("1", 1, "exact", False),
        ([1, 2], [1, 2], "exact", True),
        ([1, 2], [2, 1], "exact", False),
        ([1, 2], [2, 1], "unordered", True),
        ([1, 1, 2], [1, 2, 2], "unordered", False),
        ({"$set": [1, 2]}, [2, 1], "unordered", True),
        ([[1, "a"]], [[1, "a"]], "exact", True),
        (0.3, 0.1 + 0.2, "exact", False),
        (0.3, 0.1 + 0.2, "float", True),
        ([0.3, [0.6]], [0.1 + 0.2, [0.2 * 3]], "float", True),
        ({"a": 1}, {"a": 1, "b": 2}, "exact", False),
        ({"a": 1}, {"$unserializable": "Cheat"}, "exact", False),
        ({"$unserializable": "X"}, {"$unserializable": "X"}, "exact", False),
        (None, None, "exact", True),
        (None, {"$undefined": True}, "exact", False),
    ],
)
def test_values_match(expected: object, actual: object, mode: str, ok: bool) -> None:
    assert values_match(canonical(expected), actual, mode) is ok  # type: ignore[arg-type]


def test_canonical_forms() -> None:
    assert canonical((1, 2)) == [1, 2]
    assert canonical({3, 1}) == {"$set": [1, 3]}
    assert canonical({"$set": [3, 1]}) == {"$set": [1, 3]}
    assert canonical({2: "b", 1: "a"}) == {"$map": [[1, "a"], [2, "b"]]}
    assert canonical(float("nan")) == {"$float": "nan"}
    assert canonical({"b": 1, "a": 2}) == {"a": 2, "b": 1}
    with pytest.raises(NotCanonical):
        canonical(object())


def test_display_in_each_language() -> None:
    value = canonical([None, True, "x", {"$set": [1]}, {"k": 1.5}])
    assert display(value, "python") == "[None, True, 'x', {1}, {'k': 1.5}]"
    assert display(value, "javascript") == '[null, true, "x", new Set([1]), {k: 1.5}]'
    assert display({"$unserializable": "Sneaky"}, "python") == "<Sneaky object>"
    assert display(list(range(1000)), "python").endswith("…")


# ----------------------------------------------------------------------------- reported values
# A harness reports set members and map entries in the order the learner's language iterates
# them; the host puts every value in one canonical form before it compares or displays it.


def _text(value: Any) -> str:
    return json.dumps(value)  # order-exact (and NaN-free: canonical floats are finite)


def test_a_set_in_every_order_has_one_form() -> None:
    members = ["b", 3, 1.5, [2, 1], None, {"$float": "nan"}, {"$set": ["y", "x"]}]
    forms = {_text(canonical({"$set": list(order)})) for order in itertools.permutations(members)}
    # Ordered by JSON text, nested sets ordered first.
    assert forms == {
        _text({"$set": ["b", 1.5, 3, [2, 1], None, {"$float": "nan"}, {"$set": ["x", "y"]}]})
    }


def test_a_map_in_every_order_has_one_form() -> None:
    # Keys of every type, and two equal keys (a JavaScript Map keyed by two equal arrays): the
    # entries are ordered by key, then by value.
    entries = [[2, "two"], ["2", "text"], [[1], "a"], [[1], "b"], [None, {"$set": [2, 1]}]]
    forms = {_text(canonical({"$map": list(order)})) for order in itertools.permutations(entries)}
    assert forms == {
        _text(
            {
                "$map": [
                    ["2", "text"],
                    [2, "two"],
                    [[1], "a"],
                    [[1], "b"],
                    [None, {"$set": [1, 2]}],
                ]
            }
        )
    }


def test_string_keys_make_a_plain_object_with_sorted_keys() -> None:
    assert _text(canonical({"$map": [["b", 1], ["a", 2]]})) == _text({"a": 2, "b": 1})
    assert _text(canonical({"$map": []})) == _text({})
    assert _text(canonical({"z": {"y": 1, "x": 2}, "a": 0})) == _text(
        {"a": 0, "z": {"x": 2, "y": 1}}
    )


def test_nested_sets_and_maps_reported_in_two_orders_are_equal() -> None:
    forward = [{"$map": [[1, {"$set": [3, 2]}], [[0], {"$set": [{"$set": ["b", "a"]}, 1]}]]}]
    backward = [{"$map": [[[0], {"$set": [1, {"$set": ["a", "b"]}]}], [1, {"$set": [2, 3]}]]}]
    assert _text(canonical(forward)) == _text(canonical(backward))
    expected = canonical([{(0,): {1, frozenset({"a", "b"})}, 1: {2, 3}}])  # as YAML could give
    assert values_match(expected, canonical(forward))
    assert values_match(expected, canonical(backward))
    assert display(canonical(backward), "python") == "[{1: {2, 3}, [0]: {1, {'a', 'b'}}}]"
    assert display(canonical(backward), "javascript") == (
        '[new Map([[1, new Set([2, 3])], [[0], new Set([1, new Set(["a", "b"])])]])]'
    )


def test_nan_and_infinities_as_floats_or_tags() -> None:
    assert canonical([float("nan"), float("-inf")]) == [{"$float": "nan"}, {"$float": "-inf"}]
    assert values_match(canonical(float("nan")), canonical({"$float": "nan"}))
    assert values_match(canonical({float("inf"), 1}), canonical({"$set": [{"$float": "inf"}, 1]}))


@pytest.mark.parametrize(
    "value",
    [
        {"$set": 5},
        {"$set": {"a": 1}},
        {"$map": "x"},
        {"$map": [[1, 2, 3]]},
        {"$map": [[1]]},
        {"$map": [["a", 1], ["a", 2]]},  # string keys make an object: one key twice
        {"$float": "NaN"},
        {"$float": 1.5},
        {"$undefined": False},
        {"$bigint": "12a"},
        {"$bigint": 12},
        {"$unserializable": ["Thing"]},
        [1, {"x": {"$set": [{"$map": [[1]]}]}}],  # malformed deep inside
    ],
)
def test_malformed_tags_are_refused(value: Any) -> None:
    with pytest.raises(NotCanonical):
        canonical(value)


def test_an_object_with_a_tag_among_other_keys_is_a_plain_object() -> None:
    assert canonical({"$set": 5, "b": [2, 1]}) == {"$set": 5, "b": [2, 1]}


def test_nesting_is_bounded() -> None:
    # The harnesses report 100 levels at most; the host takes up to 128 and walks them without
    # running out of stack, and refuses deeper values instead of recursing into them.
    deepest: Any = 0
    for level in range(127):
        deepest = {"$map": [[[level], deepest]]} if level % 2 else {"$set": [deepest, "x"]}
    value = canonical(deepest)
    assert values_match(value, canonical(json.loads(json.dumps(deepest))))
    assert "…" in display(value, "python")  # shown to depth 20
    nested: Any = 0
    for _ in range(128):
        nested = [nested]
    assert canonical(nested) == nested
    with pytest.raises(NotCanonical, match="deeper than 128"):
        canonical([nested])
    very_deep: Any = []
    for _ in range(100_000):
        very_deep = [very_deep]
    with pytest.raises(NotCanonical):
        canonical(very_deep)


# ----------------------------------------------------------------------------- in a verdict

SET_TESTS = [
    {"kind": "call", "name": "first", "args": [1], "expected": [{1, 9, 17}, {2: "a", 1: "b"}]},
    {"kind": "call", "name": "second", "args": [2], "expected": {"$set": [1]}},
]


def _grade(*values: Any) -> verdicts.Verdict:
    problem = make_problem(solution="def f(x):\n    pass\n", tests=SET_TESTS, entry_point="f")
    ids = [str(test.id) for test in problem.body.tests]
    cases = {
        case_id: CaseOutcome(id=case_id, status="ok", value=value)
        for case_id, value in zip(ids, values, strict=True)
    }
    report = RunReport(backend="local", load=LoadOutcome(status="ok"), cases=cases, duration_ms=1)
    return verdicts.grade(problem, report)


def test_a_reported_value_is_judged_in_its_canonical_form() -> None:
    scrambled = [{"$set": [17, 1, 9]}, {"$map": [[2, "a"], [1, "b"]]}]
    assert _grade(scrambled, {"$set": [1]}).status == "pass"
    wrong = _grade([{"$set": [17, 9, 2]}, {"$map": [[2, "a"], [1, "b"]]}], {"$set": [1]})
    first = wrong.tests[0]
    assert isinstance(first.failure, Failure) and first.failure.kind == "wrong_answer"
    # Shown in the canonical order (by JSON text), whatever order the learner's set had.
    assert first.failure.actual == "[{17, 2, 9}, {1: 'b', 2: 'a'}]"
    assert first.failure.expected == "[{1, 17, 9}, {1: 'b', 2: 'a'}]"


def test_a_malformed_reported_value_is_no_result_not_a_crash() -> None:
    verdict = _grade([{"$set": [17, 1, 9]}, {"$map": [[1]]}], {"$float": "nope"})
    for test in verdict.tests:
        assert (test.status, test.category) == ("error", "no_report")
        assert isinstance(test.failure, Failure) and test.failure.reason == "unreadable"
        assert f"{test.name}: no result: a malformed $" in message(test)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2.0, "2"),
        (-0.0, "0"),
        (1e-7, "1e-7"),
        (1.5e-6, "0.0000015"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e16, "10000000000000000"),
        (1e21, "1e+21"),
        (2.5e-10, "2.5e-10"),
    ],
)
def test_javascript_numbers_are_shown_as_javascript_writes_them(value: float, shown: str) -> None:
    """As `String(n)` in Node: the host, not the harness, writes what a learner reads."""
    assert display(value, "javascript") == shown
    assert display(value, "python") == repr(value)
