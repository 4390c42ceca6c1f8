"""The rules a problem's expected values and placeholders follow, each broken rule with the YAML
location it is at (the loader turns that into file:line).

Without `variants`, every call and stdio test gives its expected value. With `variants`, no test
does (the reference solution computes them), every placeholder names a parameter, the solution
has none (it must solve every variant), and at least one hidden test's input uses a parameter
(else a neighbour's hard-coded answers would pass).
"""

from __future__ import annotations

from typing import Any

from .models import CallTest, CodeTest, ProblemBody, StdioTest
from .templates import names_in

Location = tuple[str | int, ...]
INPUT_FIELDS = ("args", "kwargs", "stdin", "code")
"""The fields of a test whose placeholders are substituted."""


def variant_errors(body: ProblemBody) -> list[tuple[Location, str]]:
    if body.variants is None:
        return _missing_expected(body)
    errors: list[tuple[Location, str]] = []
    known = body.variants.parameter_names

    def unknown(loc: Location, value: Any) -> None:
        if missing := sorted(names_in(value) - known):
            names = ", ".join(sorted(known))
            errors.append((loc, f"unknown parameter {missing[0]!r} (the parameters: {names})"))

    unknown(("statement",), body.statement)
    unknown(("starter",), body.starter)
    for index, hint in enumerate(body.hints):
        unknown(("hints", index), hint)
    if used := sorted(names_in(body.solution)):
        errors.append(
            (
                ("solution",),
                f"the solution uses the parameter {used[0]!r}: it must solve every variant, "
                "reading parameters only through the tests' inputs",
            )
        )
    hidden_uses_one = False
    for index, test in enumerate(body.tests):
        given = _expected_field(test)
        if given is not None:
            errors.append(
                (
                    ("tests", index, given),
                    f"leave {given!r} out in a problem with variants: the reference solution "
                    "computes it for each variant",
                )
            )
        for field in INPUT_FIELDS:
            if hasattr(test, field):
                value = getattr(test, field)
                unknown(("tests", index, field), value)
                hidden_uses_one |= test.visibility == "hidden" and bool(names_in(value))
    if not hidden_uses_one:
        errors.append(
            (
                ("variants",),
                "no hidden test's input uses a parameter: every learner would get the same "
                "hidden tests",
            )
        )
    return errors


def _expected_field(test: CallTest | StdioTest | CodeTest) -> str | None:
    """The expected-value field the author gave, if any."""
    name = "expected_stdout" if isinstance(test, StdioTest) else "expected"
    return name if name in test.model_fields_set else None


def _missing_expected(body: ProblemBody) -> list[tuple[Location, str]]:
    errors: list[tuple[Location, str]] = []
    for index, test in enumerate(body.tests):
        if isinstance(test, CallTest | StdioTest) and _expected_field(test) is None:
            field = "expected_stdout" if isinstance(test, StdioTest) else "expected"
            why = "Field required (unless the problem has variants)"
            errors.append((("tests", index, field), why))
    return errors
