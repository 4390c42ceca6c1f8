"""The solution-leak screen: every tutor answer passes here before a learner sees it.

An answer leaks when code in it, new compared with the learner's own code,
- covers most of the reference solution once both are normalised (identifiers, strings and
  comments abstracted away, so renaming and reformatting change nothing); or
- is a complete implementation of the exercise's entry point (or of a function or class the
  reference defines), whatever the algorithm; or its body without the header line (statements
  ending in a `return` at the top level); or, for a program that reads its input, a complete
  program (it reads, prints, and does work in between).

Code is looked for in fenced blocks, in long inline spans, and in runs of code-like lines
outside any fence, since a model does not always fence its code.
"""

from __future__ import annotations

import ast
import keyword
import re
import textwrap
from dataclasses import dataclass

GRAM = 4
"""Tokens per n-gram: long enough that `ID = ID (` alone is not evidence, short enough for
one-line solutions."""

_FENCE = re.compile(
    r"^(?P<fence>```|~~~)[^\n]*\n(?P<body>.*?)(?:^(?P=fence)[ \t]*$|\Z)", re.M | re.S
)
_INLINE = re.compile(r"`([^`\n]{24,})`")
_CODE_LINE = re.compile(
    r"""^\s*(?:
        (?:async\s+)?def\s+\w+\s*\(|class\s+\w+|return\b|for\s+.+\bin\b.+:|while\s+.+:|
        if\s+.+:\s*$|elif\b|else\s*:|try\s*:|except\b|with\s+.+:|import\s+\w|from\s+\w+\s+import|
        print\s*\(|yield\b|raise\b|pass\s*$|
        function\b|const\s+\w|let\s+\w|var\s+\w|for\s*\(|while\s*\(|if\s*\(|\}|\{\s*$|
        console\.log|process\.stdin|module\.exports|
        [\w.\[\]]+\s*(?:[-+*/%]|\*\*|//)?=\s*\S|[\w.]+\([^)]*\)\s*;?\s*$
    )""",
    re.X,
)
_PROSE_END = re.compile(r"[.?!:]\s*$")

_PY_TOKENS = re.compile(
    r"""(?P<skip>\#[^\n]*|\s+)
    |(?P<str>[rbfuRBFU]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
    |(?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)
    |(?P<name>[A-Za-z_]\w*)
    |(?P<op>\*\*=?|//=?|==|!=|<=|>=|->|:=|[-+*/%&|^<>]=|[^\s\w])""",
    re.X | re.S,
)
_JS_TOKENS = re.compile(
    r"""(?P<skip>//[^\n]*|/\*.*?\*/|\s+)
    |(?P<str>`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")
    |(?P<num>\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?n?)
    |(?P<name>[A-Za-z_$][\w$]*)
    |(?P<op>===|!==|\*\*=?|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.|\+\+|--|[-+*/%&|^<>]=|[^\s\w])""",
    re.X | re.S,
)
_JS_KEYWORDS = frozenset(
    """break case catch class const continue default delete do else export extends false finally
    for function if in instanceof let new null of return static super switch this throw true try
    typeof undefined var void while yield async await""".split()  # noqa: SIM905
)
_MEANINGFUL_NAMES = frozenset(
    # Builtins and library names carry the algorithm; renaming a variable does not change it.
    """len range sum min max sorted reversed enumerate zip map filter any all abs int str float
    list dict set tuple print input isinstance append extend pop insert sort split join strip
    lower upper items keys values get count index replace startswith endswith format length push
    slice splice reduce forEach includes indexOf Math floor ceil round Number String parseInt
    parseFloat Object entries fromEntries Map Set has add delete size toUpperCase toLowerCase trim
    console log Array isArray from concat every some find charAt substring readFileSync process
    stdin""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class LeakCheck:
    leaked: bool
    reason: str = ""
    coverage: float = 0.0
    """The largest share of the reference's normalised n-grams found in one piece of code."""


def screen_answer(
    answer: str,
    *,
    solution: str,
    language: str,
    entry_point: str | None,
    learner_code: str = "",
    threshold: float = 0.6,
) -> LeakCheck:
    """Whether `answer` (Markdown) gives the solution away; see the module docstring."""
    reference = _grams(solution, language)
    already = _grams(learner_code, language) if learner_code else set()
    names = ([entry_point] if entry_point else []) + defined_names(solution, language)
    program = _reads_input(solution) and _PRINTS.search(solution) is not None
    best = 0.0
    for candidate in code_candidates(answer):
        grams = _grams(candidate, language)
        new = grams - already  # quoting the learner's own code gives nothing away
        if new:
            if found := next((n for n in names if implements(candidate, n, language)), None):
                return LeakCheck(True, f"a complete implementation of {found}", 1.0)
            if names and is_function_body(candidate, language):
                return LeakCheck(True, "a complete function body", 1.0)
            if program and is_complete_program(candidate, language):
                return LeakCheck(True, "a complete program", 1.0)
        if not reference or not grams:
            continue
        shared = reference & grams
        coverage = len(shared) / len(reference)
        best = max(best, coverage)
        if coverage >= threshold and shared & new:
            return LeakCheck(True, f"{coverage:.0%} of the reference solution", coverage)
    return LeakCheck(False, "", best)


# ---------------------------------------------------------------------- finding code


def code_candidates(answer: str) -> list[str]:
    """Pieces of `answer` that may be code: fenced blocks, long inline spans, runs of code-like
    lines outside fences, and all of them together (a solution split in parts)."""
    pieces = [m.group("body") for m in _FENCE.finditer(answer)]
    outside = _FENCE.sub("\n", answer)
    pieces += _INLINE.findall(outside)
    pieces += _code_runs(_INLINE.sub(" ", outside))
    pieces = [p for p in pieces if p.strip()]
    if len(pieces) > 1:
        pieces.append("\n".join(pieces))
    return pieces


_FENCE_LINE = re.compile(r"^(?:```|~~~)", re.M)


def displayable_prefix(text: str) -> int:
    """How much of an answer still being streamed can be screened and shown now: everything
    but an unclosed code block and a last line that may be turning into code. Prose streams
    word by word; code is judged whole."""
    fences = list(_FENCE_LINE.finditer(text))
    if len(fences) % 2:
        return fences[-1].start()
    line_start = text.rfind("\n") + 1
    partial = text[line_start:]
    if partial and (partial[0] in " \t`~" or looks_like_code(partial)):
        return line_start
    return len(text)


def _code_runs(text: str) -> list[str]:
    runs: list[list[str]] = [[]]
    for line in text.splitlines():
        if looks_like_code(line):
            runs[-1].append(line)
        elif line.strip() and runs[-1]:
            runs.append([])
    return ["\n".join(run) for run in runs if len(run) >= 2 or _long_statement(run)]


def looks_like_code(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if line.startswith(("    ", "\t")) and not stripped.startswith(("-", "*", ">")):
        return True
    if re.match(r"^(?:[-*+]|\d+\.)\s", stripped):  # Markdown list items are prose
        return False
    words = stripped.split()
    prose = len(words) > 6 and _PROSE_END.search(stripped) and not stripped.endswith(("{", ":"))
    return bool(_CODE_LINE.match(line)) and not prose


def _long_statement(run: list[str]) -> bool:
    return len(run) == 1 and len(run[0].strip()) >= 40


# ---------------------------------------------------------------------- normalising


def normalised_tokens(code: str, language: str) -> list[str]:
    pattern = _PY_TOKENS if language == "python" else _JS_TOKENS
    keywords = set(keyword.kwlist) if language == "python" else _JS_KEYWORDS
    tokens: list[str] = []
    for match in pattern.finditer(code):
        kind = match.lastgroup
        text = match.group()
        if kind == "skip":
            continue
        if kind == "str":
            tokens.append("STR")
        elif kind == "num":
            tokens.append(text if text in ("0", "1", "2") else "NUM")
        elif kind == "name":
            tokens.append(text if text in keywords or text in _MEANINGFUL_NAMES else "ID")
        elif text not in (";", ","):  # optional in JS, trailing in both: not evidence
            tokens.append(text)
    return tokens


def _grams(code: str, language: str) -> set[tuple[str, ...]]:
    tokens = normalised_tokens(code, language)
    if len(tokens) < GRAM:
        return {tuple(tokens)} if len(tokens) >= 2 else set()
    return {tuple(tokens[i : i + GRAM]) for i in range(len(tokens) - GRAM + 1)}


# ---------------------------------------------------------------------- complete implementations

_JS_TOP_NAME = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*([\w$]+)|class\s+([\w$]+)"
    r"|(?:const|let|var)\s+([\w$]+)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>|class\b))",
    re.M,
)
_READS = re.compile(
    r"\binput\s*\(|sys\.stdin|readFileSync\s*\(\s*(?:0|['\"]/dev/stdin)|process\.stdin"
)
_PRINTS = re.compile(r"\bprint\s*\(|sys\.stdout|console\.log|process\.stdout")


def defined_names(solution: str, language: str) -> list[str]:
    """The functions and classes a solution defines at its top level."""
    if language == "python":
        tree = _parse_python(solution)
        return [
            n.name
            for n in (tree.body if tree else [])
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        ]
    return [next(g for g in m.groups() if g) for m in _JS_TOP_NAME.finditer(solution)]


def _reads_input(code: str) -> bool:
    return _READS.search(code) is not None


def is_function_body(code: str, language: str) -> bool:
    """Statements that end in a `return` at their top level: a function's body without its
    header line (at least three statements, so a one-line pointer is not one)."""
    if language == "python":
        body = textwrap.indent(textwrap.dedent(code), "    ")
        tree = _parse_python("def _body():\n" + body)
        if tree is None or not tree.body or not isinstance(tree.body[0], ast.FunctionDef):
            return False
        statements = [s for s in tree.body[0].body if not _is_placeholder(s)]
        returns = any(isinstance(s, ast.Return) and s.value is not None for s in statements)
        return returns and len(statements) >= 3
    statements, returns = _js_top_statements(code)
    return returns and statements >= 3


def _js_top_statements(code: str) -> tuple[int, bool]:
    """(statements at brace depth 0, whether one of them is a `return`), for a JS fragment."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", code, flags=re.S)
    depth, statements, returns = 0, 0, False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and depth == 0 and stripped not in ("}", "};", "});"):
            statements += 1
            returns = returns or re.match(r"return\b\s*[^;\s]", stripped) is not None
        depth = max(depth + line.count("{") - line.count("}"), 0)
    return statements, returns


def is_complete_program(code: str, language: str) -> bool:
    """A whole stdin-to-stdout program: it reads input, prints, and does work in between."""
    if not (_reads_input(code) and _PRINTS.search(code)):
        return False
    if language == "python":
        tree = _parse_python(code)
        if tree is None:
            return False
        return sum(isinstance(n, ast.stmt) for n in ast.walk(tree)) >= 5
    lines = [
        line for line in code.splitlines() if line.strip() and not line.strip().startswith("//")
    ]
    return len(lines) >= 5


def implements(code: str, entry_point: str, language: str) -> bool:
    """Whether `code` defines `entry_point` with a body that does real work (not a stub)."""
    if language == "python":
        return _python_implements(code, entry_point)
    return _javascript_implements(code, entry_point)


def _python_implements(code: str, name: str) -> bool:
    tree = _parse_python(code)
    if tree is None:
        return re.search(rf"^\s*def\s+{re.escape(name)}\s*\(", code, re.M) is not None and (
            _python_body_lines(code, name) >= 2
        )
    for node in ast.walk(tree):
        function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if function and node.name == name and _does_work(node.body):  # type: ignore[union-attr]
            return True
        if isinstance(node, ast.ClassDef) and node.name == name:
            methods = [
                n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            if sum(_does_work(m.body) for m in methods) >= 2:
                return True
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Lambda)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ):
            return True
    return False


def _parse_python(code: str) -> ast.Module | None:
    text = textwrap.dedent(code)
    for _ in range(3):  # a fragment may end mid-statement: drop trailing lines and retry
        try:
            return ast.parse(text)
        except SyntaxError:
            text = "\n".join(text.splitlines()[:-1])
    return None


def _python_body_lines(code: str, name: str) -> int:
    lines = code.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^\s*def\s+{name}\s*\(", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    body = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        if line.strip() and not line.strip().startswith(("#", "...", "pass")):
            body.append(line)
    return len(body)


def _does_work(body: list[ast.stmt]) -> bool:
    """A body with real statements (an inner function counts only if it does work itself)
    that returns or prints something."""
    real = [
        s
        for s in body
        if not _is_placeholder(s)
        and not (isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and not _does_work(s.body))
    ]
    returns = any(
        isinstance(n, ast.Return) and n.value is not None for s in real for n in ast.walk(s)
    )
    prints = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        for s in real
        for n in ast.walk(s)
    )
    return (returns or prints) and (len(real) >= 2 or _statement_size(real) >= 6)


def _statement_size(statements: list[ast.stmt]) -> int:
    return sum(1 for s in statements for _ in ast.walk(s))


def _is_placeholder(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # a docstring or `...`
    if isinstance(statement, ast.Raise):
        return "NotImplementedError" in ast.dump(statement)
    return False


_JS_DEFINITION = r"""(?:function\s*\*?\s*{name}\s*\([^)]*\)\s*\{{
    |(?:const|let|var)\s+{name}\s*=\s*(?:async\s+)?(?:function\b[^(]*\([^)]*\)\s*\{{
        |(?:\([^)]*\)|[\w$]+)\s*=>\s*)
    |class\s+{name}\b[^{{]*\{{
    |{name}\s*\([^)]*\)\s*\{{)"""


def _javascript_implements(code: str, name: str) -> bool:
    pattern = re.compile(_JS_DEFINITION.format(name=re.escape(name)), re.X)
    for match in pattern.finditer(code):
        rest = code[match.end() :]
        if match.group().rstrip().endswith("=>"):
            if not rest.lstrip().startswith("{"):
                expression = rest.split("\n\n")[0].strip().rstrip(";")
                if len(normalised_tokens(expression, "javascript")) >= 5:
                    return True
                continue
            rest = rest.lstrip()[1:]
        body = _until_closing_brace(rest)
        tokens = normalised_tokens(body, "javascript")
        statements = [
            line
            for line in re.sub(r"//[^\n]*|/\*.*?\*/", "", body, flags=re.S).splitlines()
            if line.strip() and line.strip() not in ("{", "}", "};")
        ]
        does_work = "return" in tokens or "console" in tokens or "log" in tokens
        if does_work and (len(statements) >= 2 or len(tokens) >= 10):
            return True
    return False


def _until_closing_brace(text: str) -> str:
    depth = 1
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[:index]
    return text
