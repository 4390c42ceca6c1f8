"""Courses, topics and problems: the pydantic models and the YAML loader."""

from .loader import CATALOG_FILE, Content, ContentError, FailedProblem, load_content
from .locate import bundled_content_dir, resolve_content_dir
from .models import (
    COMMENT_PREFIX,
    EXTENSIONS,
    CallTest,
    Catalog,
    CodeTest,
    Problem,
    ProblemBody,
    StdioTest,
    TestCase,
)

__all__ = [
    "CATALOG_FILE",
    "COMMENT_PREFIX",
    "EXTENSIONS",
    "CallTest",
    "Catalog",
    "CodeTest",
    "Content",
    "ContentError",
    "FailedProblem",
    "Problem",
    "ProblemBody",
    "StdioTest",
    "TestCase",
    "bundled_content_dir",
    "load_content",
    "resolve_content_dir",
]
