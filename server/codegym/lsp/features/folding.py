"""The exercise's header folds: the statement's 30-odd comment lines fold away under the title
line, so the learner's code is in view (`textDocument/foldingRange`)."""

from __future__ import annotations

from lsprotocol import types

from ...content import Problem
from ...workspace import header_span
from ..feature import Feature

_RULE_MARK = "───"


class HeaderFolding(Feature):
    def folding_ranges(self, problem: Problem, text: str) -> list[types.FoldingRange]:
        span = header_span(text)
        if span is None:
            return []
        first, last = span
        if _RULE_MARK in text.splitlines()[first] and first < last:
            first += 1  # folded, the header shows its title line, not the rule above it
        if first >= last:
            return []
        return [
            types.FoldingRange(
                start_line=first,
                end_line=last,
                kind=types.FoldingRangeKind.Comment,
            )
        ]
