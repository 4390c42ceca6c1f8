"""The five levels of `codegym check`: syntax, runs, tests (public and hidden), quality and
efficiency. Grading gives four (`Verdict.levels`); the quality level is the offline review's
findings on the code, counted by category. Here too: the levels as one line for the terminal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .content import Problem
from .grading import Verdict
from .text import counted
from .tutor.offline_review import offline_review

ORDER = ("syntax", "runs", "public", "hidden", "quality", "efficiency")


def quality_level(source: str, problem: Problem, verdict: Verdict) -> dict[str, Any] | None:
    """`{"findings": 2, "by_category": {"style": 2}}` from the offline review of `source`; None
    when the code does not parse (there is nothing to review)."""
    if verdict.syntax is not None:
        return None
    review = offline_review(source, problem.language, problem.body.kind)
    categories = Counter(finding.category for finding in review.findings)
    return {"findings": len(review.findings), "by_category": dict(sorted(categories.items()))}


def five_levels(verdict: Verdict, quality: dict[str, Any] | None) -> dict[str, Any]:
    """The verdict's levels with the quality level, in the order they build on each other."""
    levels = {**verdict.levels, "quality": quality}
    return {key: levels[key] for key in ORDER if key in levels}


def levels_line(levels: dict[str, Any]) -> str:
    """`syntax ✓ · runs ✓ · tests 3/4 public, 0/2 hidden · quality 2 points (style 2) · …`"""

    def mark(level: str) -> str:
        return "✓" if levels.get(level) == "pass" else "✗"

    def score(level: str) -> str:
        found = levels.get(level) or {"passed": 0, "total": 0}
        return f"{found['passed']}/{found['total']}"

    quality = levels.get("quality")
    if quality is None:
        reviewed = "not reviewed"
    elif quality["findings"]:
        kinds = ", ".join(f"{kind} {n}" for kind, n in quality["by_category"].items())
        reviewed = f"{counted(quality['findings'], 'point')} ({kinds})"
    else:
        reviewed = "nothing to remark"
    efficiency = levels.get("efficiency") or {"total": 0}
    parts = [
        f"syntax {mark('syntax')}",
        f"runs {mark('runs')}",
        f"tests {score('public')} public, {score('hidden')} hidden",
        f"quality: {reviewed}",
        f"efficiency {score('efficiency')}" if efficiency["total"] else "efficiency: no budget",
    ]
    return "  levels: " + " · ".join(parts)
