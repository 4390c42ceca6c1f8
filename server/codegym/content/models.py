"""The content model: what authors write in YAML, validated by pydantic.

`content/config.yaml` is the catalog (courses → topics → problem metadata). Each problem's body
(statement, code, tests, hints) lives in its own YAML file that the catalog references.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..config import ExerciseLimits
from ..sandbox.types import Language
from .templates import NAME

Difficulty = Literal["easy", "medium", "hard"]
Kind = Literal["function", "script", "fix"]
Visibility = Literal["public", "hidden", "generated"]
"""`generated`: made by the tutor in a learner's workspace, never written by authors."""

CompareMode = Literal["exact", "float", "unordered"]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")

EXTENSIONS: dict[str, str] = {"python": ".py", "javascript": ".js"}
COMMENT_PREFIX: dict[str, str] = {"python": "#", "javascript": "//"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- tests

_COMPARE = (
    "exact: equal JSON values; float: numbers within tolerance; unordered: lists (and sets) "
    "compared as multisets."
)
_TOLERANCE = "Absolute tolerance for compare: float (a relative 1e-9 also applies)."


class _TestBase(_Strict):
    id: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]{1,40}$",
        description="Stable test id (diagnostic code). Default: t1, t2 … by position.",
    )
    name: str = Field(..., min_length=1, max_length=80, description="Short name shown on failure.")
    visibility: Visibility = Field(
        "public",
        description="public: a failure shows its input, expected and actual value. hidden: a "
        "learner sees its name, its label and the kind of failure, never its data. generated is "
        "reserved for the tutor and rejected in content.",
    )
    label: str | None = Field(
        None,
        max_length=60,
        description="Learner-visible label of a hidden test, e.g. 'empty list'. Never its data. "
        "Required when visibility is hidden.",
    )
    time_factor: float | None = Field(
        None,
        ge=1.5,
        le=100,
        description="Efficiency test: besides being right, it must run within this factor of "
        "the reference solution's time on the same test, measured in the same sandbox "
        "(never less than 50 ms).",
    )

    @model_validator(mode="after")
    def _hidden_tests_have_labels(self) -> _TestBase:
        if self.visibility == "hidden" and not self.label:
            raise ValueError("a hidden test needs a 'label' (what a learner may know of it)")
        return self


class CallTest(_TestBase):
    """Call the entry point with `args`; compare its return value with `expected` on the host."""

    kind: Literal["call"] = Field(..., description="Selects this test kind.")
    args: list[Any] = Field(
        [],
        description="Positional arguments, received as written: JSON values, .inf and .nan, "
        "sets (!!set), and in Python mappings with integer, float, boolean or null keys "
        "(see Test inputs; dates are refused: quote them).",
    )
    kwargs: dict[str, Any] = Field(
        {},
        description="Keyword arguments, the same values as args (in JavaScript, one last "
        "options object).",
    )
    expected: Any = Field(
        None,
        description="Expected return value (JSON). Required, except in a problem with "
        "variants, where it is left out: the reference solution computes it.",
    )
    compare: CompareMode = Field("exact", description=_COMPARE)
    tolerance: float = Field(1e-9, ge=0, description=_TOLERANCE)


class StdioTest(_TestBase):
    """Run the program with `stdin`; compare its standard output with `expected_stdout`."""

    kind: Literal["stdio"] = Field(..., description="Selects this test kind.")
    stdin: str = Field("", description="Text fed to the program's standard input.")
    expected_stdout: str = Field(
        "",
        description="The expected output; trailing spaces and trailing blank lines are ignored. "
        "Required, except in a problem with variants, where it is left out: the reference "
        "solution computes it.",
    )


class CodeTest(_TestBase):
    """A function body in the exercise's language. It may assert; what it returns is compared
    with `expected` on the host, so put the checked value in a `return`, not in an assert."""

    kind: Literal["code"] = Field(..., description="Selects this test kind.")
    code: str = Field(
        ...,
        min_length=1,
        description="A function body in the exercise's language that uses the learner's names "
        "and returns the value to check.",
    )
    expected: Any = Field(
        None,
        description="Expected return value of the body (JSON). Left out in a problem with "
        "variants: the reference solution computes it.",
    )
    compare: CompareMode = Field("exact", description=_COMPARE)
    tolerance: float = Field(1e-9, ge=0, description=_TOLERANCE)


TestCase = Annotated[CallTest | StdioTest | CodeTest, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- variants


class Variants(_Strict):
    """Per-learner variants: each learner gets one parameter set, chosen by their workspace's
    seed, substituted for the `{{ name }}` placeholders of the statement, starter, hints and
    tests' inputs (`args`, `kwargs`, `stdin`, `code`). The sets are either listed (`params`) or
    made by a generator function in the exercise's language, run in the sandbox (`generator`
    and `names`)."""

    params: list[dict[str, Any]] | None = Field(
        None,
        min_length=2,
        description="Parameter sets, each a mapping of name to JSON value; every set names the "
        "same parameters. Give either params or generator.",
    )
    generator: str | None = Field(
        None,
        min_length=1,
        description="Code in the exercise's language defining `variant(seed)`: given a "
        "learner's seed (an integer from 0 to 2**31 - 1) it returns the parameter set, a "
        "mapping of each name in `names` to a JSON value, the same for the same seed. It runs "
        "in the sandbox, under the exercise's limits.",
    )
    names: list[str] | None = Field(
        None,
        min_length=1,
        description="With generator: the names of the parameters it returns.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Variants:
        if (self.params is None) == (self.generator is None):
            raise ValueError("give either params (a list of parameter sets) or generator")
        if self.generator is not None:
            if not self.names:
                raise ValueError("a generator needs names: the parameters it returns")
            if bad := sorted(name for name in self.names if not NAME.fullmatch(name)):
                raise ValueError(f"names: {bad[0]!r} is not a name")
            if len(set(self.names)) != len(self.names):
                raise ValueError("names: each name once")
            return self
        if self.names is not None:
            raise ValueError("names goes with generator; parameter sets name their parameters")
        return self._same_names()

    def _same_names(self) -> Variants:
        assert self.params is not None
        names = set(self.params[0])
        for number, params in enumerate(self.params, start=1):
            if bad := sorted(name for name in params if not NAME.fullmatch(name)):
                raise ValueError(f"parameter set {number}: {bad[0]!r} is not a name")
            if set(params) != names:
                raise ValueError(
                    f"parameter set {number} names {sorted(params)}, the first names "
                    f"{sorted(names)}: every set names the same parameters"
                )
        return self

    @property
    def parameter_names(self) -> set[str]:
        return set(self.names) if self.names is not None else set((self.params or [{}])[0])

    @property
    def listed(self) -> list[dict[str, Any]]:
        """The listed parameter sets; none for a generator."""
        return self.params or []


# ----------------------------------------------------------------------------- problems


class ProblemBody(_Strict):
    """One problem's own file."""

    statement: str = Field(..., min_length=1, description="Markdown, with at least one example.")
    language: Language = Field(..., description="Must match the course's language.")
    kind: Kind = Field(
        ...,
        description="function: write a function; script: a whole program with stdio tests; "
        "fix: the starter is buggy code to repair.",
    )
    entry_point: str | None = Field(
        None, description="The function the tests call (function and fix exercises)."
    )
    starter: str = Field(..., description="Code the learner starts from.")
    solution: str = Field(..., min_length=1, description="Reference solution.")
    tests: list[TestCase] = Field(
        ...,
        min_length=1,
        description="stdio tests cannot be mixed with call or code tests.",
    )
    hints: list[str] = Field(
        ..., min_length=3, max_length=3, description="Nudge → approach → specific pointer."
    )
    limits: ExerciseLimits | None = Field(
        None,
        description="Resource limits for this exercise's runs, overriding the defaults: "
        "wall_s (whole run, s), test_cpu_s (per test, s), cpu_s, memory_mb, processes, "
        "output_kb (captured output per test).",
    )
    variants: Variants | None = Field(
        None,
        description="Makes this a variant problem: one parameter set per learner, and the "
        "reference solution computes every test's expected value.",
    )

    @field_validator("entry_point")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError(f"{value!r} is not an identifier")
        return value

    @model_validator(mode="after")
    def _tests_fit_kind(self) -> ProblemBody:
        stdio = [t for t in self.tests if isinstance(t, StdioTest)]
        other = [t for t in self.tests if not isinstance(t, StdioTest)]
        if stdio and other:
            raise ValueError("stdio tests cannot be mixed with call or code tests")
        if self.kind == "script" and other:
            raise ValueError("a script exercise takes stdio tests only")
        if any(isinstance(t, CallTest) for t in self.tests) and not self.entry_point:
            raise ValueError("call tests need an 'entry_point'")
        if any(t.visibility == "generated" for t in self.tests):
            raise ValueError(
                "visibility 'generated' is for tests the tutor makes; use public or hidden"
            )
        seen: set[str] = set()
        for index, test in enumerate(self.tests, start=1):
            if test.id is None:
                test.id = f"t{index}"
            if test.id in seen:
                raise ValueError(f"duplicate test id {test.id!r}")
            seen.add(test.id)
        return self

    @model_validator(mode="after")
    def _variant_rules(self) -> ProblemBody:
        from .variant_rules import variant_errors  # needs this module's test models

        if errors := variant_errors(self):
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(
                        type=PydanticCustomError("content", "{why}", {"why": why}),
                        loc=loc,
                        input=None,
                    )
                    for loc, why in errors
                ],
            )
        return self

    @property
    def mode(self) -> Literal["function", "script"]:
        return "script" if any(isinstance(t, StdioTest) for t in self.tests) else "function"


class ProblemMeta(_Strict):
    """A problem's entry in the catalog."""

    id: str = Field(..., pattern=ID_PATTERN, description="Globally unique id, e.g. py-sum-evens.")
    title: str = Field(
        ..., min_length=1, max_length=80, description="Shown in the exercise list and file header."
    )
    difficulty: Difficulty = Field(..., description="Shown next to the title.")
    order: int = Field(..., ge=1, description="Position in its topic.")
    concepts: list[str] = Field([], description="Ids from the topic glossary.")
    file: str = Field(..., description="Body file, relative to the content folder.")


class Concept(_Strict):
    """An entry of a topic's glossary: hovers and tutor scaffolding."""

    id: str = Field(..., pattern=ID_PATTERN, description="Referenced by a problem's concepts.")
    title: str = Field(..., description="Heading of the hover.")
    explanation: str = Field(..., description="Short Markdown shown on hover.")
    keywords: list[str] = Field([], description="Words that trigger the hover.")


class Topic(_Strict):
    """A group of problems within a course, with its concept glossary."""

    id: str = Field(..., pattern=ID_PATTERN, description="Unique among topics.")
    title: str = Field(..., description="Shown in the exercise list.")
    concepts: list[Concept] = Field([], description="The topic's glossary.")
    problems: list[ProblemMeta] = Field([], description="The topic's problems.")


class Course(_Strict):
    """One course: a language and its topics."""

    id: str = Field(..., pattern=ID_PATTERN, description="Unique among courses, e.g. python.")
    title: str = Field(..., description="Shown in the exercise list.")
    language: Language = Field(..., description="The language of every problem in the course.")
    topics: list[Topic] = Field([], description="Topics, in the order they are listed.")


class Catalog(_Strict):
    """`content/config.yaml`."""

    courses: list[Course] = Field(
        ..., min_length=1, description="Courses, in the order they are listed."
    )


class VariantChoice(BaseModel):
    """Which of a variant problem's parameter sets an instance was made from."""

    model_config = ConfigDict(frozen=True)

    index: int
    """Position in `variants.params`, from 0; for a generator, the number it was given."""
    params: dict[str, Any]
    seed: int | None = None
    """The workspace seed that chose it (None when chosen by index, as `validate` does)."""
    computed: bool = False
    """True once the reference solution has filled in the tests' expected values."""


class Problem(BaseModel):
    """A problem ready to use: catalog metadata, its body, and where it sits."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    meta: ProblemMeta
    body: ProblemBody
    course: Course
    topic: Topic
    topic_index: int
    source_file: str
    lines: dict[str, int] = {}
    """1-based lines in `source_file`: "starter", "solution", "hints", "tests.<id>",
    "variants.<n>" (the n-th parameter set, from 0)."""
    variant: VariantChoice | None = None
    """Set on a variant problem's instance for one learner: which parameter set it is."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def language(self) -> Language:
        return self.body.language

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.body.language]
