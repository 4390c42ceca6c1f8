"""Host-side judging: compare what the sandbox reported with the expected values, as typed
records (records.py); their words are in wording.py and document.py."""

from .document import verdict_document
from .records import (
    Category,
    Failure,
    FailureKind,
    HiddenFailure,
    HiddenResult,
    PublicResult,
    Reason,
    Score,
    SyntaxFailure,
    TestVerdict,
    Verdict,
)
from .values import canonical, display, values_match
from .verdicts import grade, syntax_result, syntax_verdict
from .wording import CATEGORY_WORDS, message

__all__ = [
    "CATEGORY_WORDS",
    "Category",
    "Failure",
    "FailureKind",
    "HiddenFailure",
    "HiddenResult",
    "PublicResult",
    "Reason",
    "Score",
    "SyntaxFailure",
    "TestVerdict",
    "Verdict",
    "canonical",
    "display",
    "grade",
    "message",
    "syntax_result",
    "syntax_verdict",
    "values_match",
    "verdict_document",
]
