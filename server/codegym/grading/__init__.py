"""Host-side judging: compare what the sandbox reported with the expected values."""

from .values import canonical, display, values_match
from .verdicts import (
    CATEGORY_WORDS,
    Score,
    SyntaxFailure,
    TestVerdict,
    Verdict,
    grade,
    syntax_verdict,
)

__all__ = [
    "CATEGORY_WORDS",
    "Score",
    "SyntaxFailure",
    "TestVerdict",
    "Verdict",
    "canonical",
    "display",
    "grade",
    "syntax_verdict",
    "values_match",
]
