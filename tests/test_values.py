"""Host-side comparison of canonical values: strict where it matters, tolerant where asked."""

from __future__ import annotations

import pytest

from codegym.grading.values import NotCanonical, canonical, display, values_match


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
