"""The exercise's header folds: the statement's 30-odd comment lines fold away under the
`codegym: exercise` line, so the learner's code is in view (`textDocument/foldingRange`). The
title above it and the lenses on it stay in view."""

from __future__ import annotations

from lsprotocol import types

from ...content import Problem
from ...workspace import header_span
from ..feature import Feature


class HeaderFolding(Feature):
    def folding_ranges(self, problem: Problem, text: str) -> list[types.FoldingRange]:
        span = header_span(text)
        if span is None or span.marker >= span.last:
            return []
        return [
            types.FoldingRange(
                start_line=span.marker, end_line=span.last, kind=types.FoldingRangeKind.Comment
            )
        ]
