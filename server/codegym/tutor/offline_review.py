"""A code review from rules alone, for when the model is unreachable: the checks a teacher makes
at a glance (names, `== None`, `range(len(...))`, mutable defaults, bare `except`, printing in a
function exercise, nested loops, `var` and `==` in JavaScript …), each at its line."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from pydantic import BaseModel, Field

from ..text import counted

MAX_LINE = 100


class Finding(BaseModel):
    line: int = Field(..., ge=1, description="1-based line in the learner's code.")
    category: str = Field(..., pattern="^(style|structure|efficiency|correctness)$")
    message: str = Field(..., min_length=1, max_length=400)


class Review(BaseModel):
    summary: str = Field(..., min_length=1, max_length=2000)
    findings: list[Finding] = Field(default_factory=list, max_length=12)


def offline_review(source: str, language: str, kind: str) -> Review:
    checks = _PYTHON_CHECKS if language == "python" else _JAVASCRIPT_CHECKS
    findings: list[Finding] = []
    for check in checks:
        findings.extend(check(source, kind))
    findings.extend(_long_lines(source))
    findings = sorted({(f.line, f.message): f for f in findings}.values(), key=lambda f: f.line)
    if findings:
        summary = (
            f"{counted(len(findings), 'point')} from Code Gym's built-in checks. They look at "
            "style and common pitfalls only; they cannot judge your approach the way the tutor "
            "model can."
        )
    else:
        summary = (
            "The built-in checks found nothing to remark on names, structure or the common "
            "pitfalls they know."
        )
    return Review(summary=summary, findings=findings[:12])


def _long_lines(source: str) -> Iterator[Finding]:
    for number, line in enumerate(source.splitlines(), 1):
        if len(line) > MAX_LINE:
            yield Finding(
                line=number,
                category="style",
                message=f"This line is {len(line)} characters long; split it to keep it readable "
                f"(under {MAX_LINE}).",
            )


# ---------------------------------------------------------------------- Python


def _python_tree(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _py_none_comparison(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
            and any(isinstance(c, ast.Constant) and c.value is None for c in node.comparators)
        ):
            yield Finding(
                line=node.lineno,
                category="style",
                message="Compare with None using `is` / `is not`, not `==` / `!=`.",
            )


def _py_range_len(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Call)
            and isinstance(node.iter.func, ast.Name)
            and node.iter.func.id == "range"
            and len(node.iter.args) == 1
            and isinstance(node.iter.args[0], ast.Call)
            and isinstance(node.iter.args[0].func, ast.Name)
            and node.iter.args[0].func.id == "len"
        ):
            yield Finding(
                line=node.lineno,
                category="style",
                message="`for i in range(len(...))`: if you need the items, loop over them "
                "directly; if you need both, `enumerate` gives index and item.",
            )


def _py_mutable_default(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d]:
                if isinstance(default, ast.List | ast.Dict | ast.Set):
                    yield Finding(
                        line=node.lineno,
                        category="correctness",
                        message=f"`{node.name}` has a mutable default argument: it is shared "
                        "between calls. Default to None and create it inside.",
                    )


def _py_bare_except(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.ExceptHandler) and node.type is None:
            yield Finding(
                line=node.lineno,
                category="correctness",
                message="A bare `except:` also catches mistakes you want to see; name the "
                "exception you expect.",
            )


def _py_print_in_function(source: str, kind: str) -> Iterator[Finding]:
    if kind == "script":
        return
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id == "print"
                ):
                    yield Finding(
                        line=inner.lineno,
                        category="structure",
                        message="The tests look at what the function returns; a leftover "
                        "`print` is debugging output. Remove it when you are done.",
                    )
                    break


def _py_nested_loops(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.For | ast.While):
            inner = next(
                (n for n in ast.walk(node) if n is not node and isinstance(n, ast.For | ast.While)),
                None,
            )
            if inner is not None:
                yield Finding(
                    line=inner.lineno,
                    category="efficiency",
                    message="A loop inside a loop does work proportional to n² on large inputs; "
                    "check whether a set or dict lookup could replace the inner loop.",
                )


def _py_names(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    seen: set[str] = set()
    for node in ast.walk(tree) if tree else ():
        name, line = None, None
        if isinstance(node, ast.FunctionDef):
            name, line = node.name, node.lineno
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            name, line = node.id, node.lineno
        if name and line and name not in seen and re.search(r"[a-z][A-Z]", name):
            seen.add(name)
            yield Finding(
                line=line,
                category="style",
                message=f"`{name}`: Python names are written in snake_case (PEP 8).",
            )
        elif name in ("l", "O", "I") and name not in seen:
            seen.add(name)
            yield Finding(
                line=line or 1,
                category="style",
                message=f"`{name}` is easy to confuse with 1 or 0; choose a descriptive name.",
            )


def _py_return_bool(source: str, kind: str) -> Iterator[Finding]:
    tree = _python_tree(source)
    for node in ast.walk(tree) if tree else ():
        if (
            isinstance(node, ast.If)
            and len(node.body) == 1
            and len(node.orelse) == 1
            and all(isinstance(s, ast.Return) for s in (node.body[0], node.orelse[0]))
        ):
            values = [getattr(s.value, "value", None) for s in (node.body[0], node.orelse[0])]  # type: ignore[attr-defined]
            if sorted(map(str, values)) == ["False", "True"]:
                yield Finding(
                    line=node.lineno,
                    category="style",
                    message="`if …: return True else: return False` can return the condition "
                    "itself.",
                )


_PYTHON_CHECKS: list[Callable[[str, str], Iterator[Finding]]] = [
    _py_none_comparison,
    _py_range_len,
    _py_mutable_default,
    _py_bare_except,
    _py_print_in_function,
    _py_nested_loops,
    _py_names,
    _py_return_bool,
]


# ---------------------------------------------------------------------- JavaScript


def _code_lines(source: str) -> Iterator[tuple[int, str]]:
    """Lines with comments and string contents blanked, so patterns only see code."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), source, flags=re.S)
    for number, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"//.*", "", line)
        line = re.sub(r"(['\"`])(?:\\.|(?!\1).)*\1", '""', line)
        yield number, line


_JS_LINE_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"\bvar\s+[\w$]"),
        "style",
        "`var` is function-scoped and hoisted; use `const`, or `let` when the variable is "
        "reassigned.",
    ),
    (
        re.compile(r"[^=!<>]==[^=]|!=[^=]"),
        "correctness",
        "`==` and `!=` convert types before comparing (`'1' == 1` is true); use `===` and `!==`.",
    ),
]


def _js_line_rules(source: str, kind: str) -> Iterator[Finding]:
    for number, line in _code_lines(source):
        for pattern, category, message in _JS_LINE_RULES:
            if pattern.search(line):
                yield Finding(line=number, category=category, message=message)


def _js_let_never_reassigned(source: str, kind: str) -> Iterator[Finding]:
    lines = list(_code_lines(source))
    code = "\n".join(line for _, line in lines)
    for number, line in lines:
        for name in re.findall(r"\blet\s+([\w$]+)\s*=", line):
            reassigned = re.search(
                rf"(?<![\w$.]){re.escape(name)}\s*(?:[-+*/%]?=(?!=)|\+\+|--)|(?:\+\+|--){name}\b",
                code.replace(line, "", 1),
            )
            if not reassigned:
                yield Finding(
                    line=number,
                    category="style",
                    message=f"`{name}` is never reassigned: declare it with `const`.",
                )


def _js_console_in_function(source: str, kind: str) -> Iterator[Finding]:
    if kind == "script":
        return
    for number, line in _code_lines(source):
        if "console.log" in line:
            yield Finding(
                line=number,
                category="structure",
                message="The tests look at what the function returns; a leftover "
                "`console.log` is debugging output. Remove it when you are done.",
            )
            return


def _js_nested_loops(source: str, kind: str) -> Iterator[Finding]:
    depth_stack: list[int] = []
    depth = 0
    for number, line in _code_lines(source):
        if re.search(r"\b(for|while)\s*\(|\.(forEach|map|filter|some|every|find)\(", line):
            if depth_stack:
                yield Finding(
                    line=number,
                    category="efficiency",
                    message="A loop inside a loop does work proportional to n² on large "
                    "inputs; check whether a Set or Map lookup could replace the inner loop.",
                )
                return
            depth_stack.append(depth)
        depth += line.count("{") - line.count("}")
        while depth_stack and depth <= depth_stack[-1]:
            depth_stack.pop()


_JAVASCRIPT_CHECKS: list[Callable[[str, str], Iterator[Finding]]] = [
    _js_line_rules,
    _js_let_never_reassigned,
    _js_console_in_function,
    _js_nested_loops,
]
