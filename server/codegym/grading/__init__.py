"""Host-side judging: compare what the sandbox reported with the expected values."""

from .values import canonical, display, values_match
from .verdicts import Score, TestVerdict, Verdict, grade

__all__ = ["Score", "TestVerdict", "Verdict", "canonical", "display", "grade", "values_match"]
