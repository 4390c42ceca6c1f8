"""One variant of a variant problem: the parameter set a seed chooses, and the concrete problem
made from it (placeholders substituted; expected values still to compute, by `codegym.variants`).
"""

from __future__ import annotations

import hashlib

from .models import Problem, TestCase, VariantChoice
from .templates import Params, substitute_text, substitute_value
from .variant_rules import INPUT_FIELDS


def variant_index(seed: int, problem_id: str, count: int) -> int:
    """The parameter set a workspace seed gives a problem: a stable hash of both (the same on
    every machine and Python version, unlike `hash()`), modulo the number of sets."""
    digest = hashlib.sha256(f"{seed}:{problem_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


GENERATOR_SEEDS = 2**31
"""A generator's `variant(seed)` gets a number below this, derived from the workspace seed."""


class GeneratedParamsMissing(LookupError):
    """A generated variant asked for without the parameters its generator made for the seed
    (`codegym.variants.generate_params` makes them, in the sandbox)."""


def has_generator(problem: Problem) -> bool:
    """Whether the problem's variants come from a generator (run in the sandbox)."""
    return problem.body.variants is not None and problem.body.variants.generator is not None


def generator_seed(seed: int, problem_id: str) -> int:
    """What a problem's generator is given for a workspace seed: a different number for each
    problem, so two generated problems do not move in step."""
    return variant_index(seed, problem_id, GENERATOR_SEEDS)


def for_seed(problem: Problem, seed: int, generated: Params | None = None) -> Problem:
    """The learner's problem for a workspace seed: a variant problem instantiated (a generated
    one from the parameters its generator returned for the seed: `generated`), any other
    unchanged."""
    variants = problem.body.variants
    if variants is None or problem.variant is not None:
        return problem
    if variants.generator is not None:
        if generated is None:
            raise GeneratedParamsMissing(f"{problem.id}: its generator has not run for seed {seed}")
        return instantiate(problem, generator_seed(seed, problem.id), seed, generated)
    return instantiate(problem, variant_index(seed, problem.id, len(variants.listed)), seed)


def instantiate(
    problem: Problem, index: int, seed: int | None = None, params: Params | None = None
) -> Problem:
    """The variant made from parameter set `index` (or, for a generator, from the `params` it
    returned for the number `index`): statement, starter, hints and the tests' inputs with the
    placeholders substituted. The tests carry no expected values yet."""
    assert problem.body.variants is not None, f"{problem.id} has no variants"
    if params is None:
        params = problem.body.variants.listed[index]
    body = problem.body.model_copy(
        update={
            "statement": substitute_text(problem.body.statement, params),
            "starter": substitute_text(problem.body.starter, params),
            "hints": [substitute_text(hint, params) for hint in problem.body.hints],
            "tests": [_test(test, params) for test in problem.body.tests],
        }
    )
    choice = VariantChoice(index=index, params=params, seed=seed)
    return problem.model_copy(update={"body": body, "variant": choice})


def _test(test: TestCase, params: Params) -> TestCase:
    update: dict[str, object] = {}
    for field in INPUT_FIELDS:
        if hasattr(test, field):
            value = getattr(test, field)
            if isinstance(value, str):  # stdin and code: text
                update[field] = substitute_text(value, params)
            else:  # args and kwargs: JSON values
                update[field] = substitute_value(value, params)
    return test.model_copy(update=update)


VALIDATION_SAMPLE = 5
"""Parameter sets `codegym validate` tries per variant problem (all of them, if fewer)."""


def sample(problem: Problem, size: int = VALIDATION_SAMPLE) -> list[int]:
    """The parameter sets to validate: all of them up to `size`, else `size` spread evenly
    over the list (the first and the last included), the same ones on every run. For a
    generator, the numbers to give it: `size` of them, the same on every run."""
    variants = problem.body.variants
    if variants is not None and variants.generator is not None:
        return [generator_seed(seed, problem.id) for seed in range(size)]
    count = len(variants.listed) if variants else 0
    if count <= size:
        return list(range(count))
    return sorted({round(i * (count - 1) / (size - 1)) for i in range(size)})
