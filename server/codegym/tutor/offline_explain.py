"""Why a test fails, from rules alone, for when the tutor model is unreachable.

One failing test's typed record (or a syntax error found while typing) becomes a few lines of
Markdown that name the thing at fault: the undefined name and its likely intended spelling, the
missing key, the two operand types, the line and its code. The rules are data: `_ERROR_RULES`
maps an error type and a pattern on the error's own message (from the record, never from a
sentence) to a builder; `_CATEGORY_RULES` handles failures without an error (timeouts, wrong
answers …). Builders explain in words and never write the learner's code; hidden tests carry
only their label and kind, so their explanation stays generic.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import keyword
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..grading import Failure, HiddenFailure, TestVerdict
from ..grading.wording import input_text, what_happened

MAX_POINTS = 6
"""Bullet points after the header line: the whole answer stays within 8 lines."""
MAX_CODE = 72

_PY_BUILTINS = sorted(n for n in dir(builtins) if not n.startswith("_"))
_JS_GLOBALS = [
    "console", "Math", "Number", "String", "Array", "Object", "JSON", "Map", "Set", "parseInt",
    "parseFloat", "isNaN", "Boolean", "Infinity", "NaN", "undefined", "null", "Date", "Symbol",
    "BigInt", "Error", "RegExp", "Promise", "structuredClone", "globalThis",
]  # fmt: skip
_JS_KEYWORDS = {
    "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
    "else", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
    "instanceof", "let", "new", "null", "return", "super", "switch", "this", "throw", "true",
    "try", "typeof", "var", "void", "while", "with", "yield", "of", "async", "await", "static",
}  # fmt: skip
_JS_METHODS: dict[str, list[str]] = {
    "Array": [
        "push", "pop", "shift", "unshift", "slice", "splice", "concat", "join", "reverse", "sort",
        "indexOf", "lastIndexOf", "includes", "find", "findIndex", "findLast", "filter", "map",
        "forEach", "reduce", "reduceRight", "some", "every", "flat", "flatMap", "fill", "keys",
        "values", "entries", "at", "length",
    ],
    "String": [
        "charAt", "charCodeAt", "codePointAt", "indexOf", "lastIndexOf", "includes", "startsWith",
        "endsWith", "slice", "substring", "toUpperCase", "toLowerCase", "trim", "trimStart",
        "trimEnd", "split", "replace", "replaceAll", "repeat", "padStart", "padEnd", "match",
        "at", "concat", "localeCompare", "length",
    ],
    "Map/Set": ["get", "set", "has", "delete", "add", "clear", "size", "forEach"],
    "Math": ["max", "min", "abs", "floor", "ceil", "round", "sqrt", "pow", "random", "trunc",
             "sign"],
    "Object": ["keys", "values", "entries", "assign", "fromEntries", "hasOwn"],
    "Number": ["isInteger", "parseInt", "parseFloat", "isNaN", "toFixed", "toString"],
}  # fmt: skip
_JS_MIXUPS = {
    "append": "Arrays grow with `push`.", "add": "Arrays grow with `push` (`add` is for a `Set`).",
    "len": "The length is the `length` property.", "contains": "Did you mean `includes`?",
    "size": "Arrays and strings have `length` (`size` is for a `Map`/`Set`).",
    "upper": "Did you mean `toUpperCase`?", "lower": "Did you mean `toLowerCase`?",
    "strip": "Did you mean `trim`?", "remove": "Arrays remove items with `splice` or `filter`.",
    "length": "`length` is a property, not a method: leave out the parentheses.",
}  # fmt: skip
_PY_MIXUPS: dict[tuple[str, str], str] = {
    ("list", "push"): "lists grow with `append`",
    ("list", "add"): "lists grow with `append` (`add` is for sets)",
    ("list", "length"): "the length of anything is `len(...)`, not a method",
    ("str", "length"): "the length of anything is `len(...)`, not a method",
    ("dict", "length"): "the length of anything is `len(...)`, not a method",
    ("list", "size"): "the length of a list is `len(...)`",
    ("str", "append"): "strings cannot change: build a new string (with `+` or `''.join(...)`)",
    ("str", "contains"): "test membership with the `in` operator",
    ("list", "contains"): "test membership with the `in` operator",
    ("dict", "has_key"): "test for a key with the `in` operator",
    ("str", "reverse"): "strings have no `reverse`; slicing with a step of -1 reverses",
    ("int", "append"): "this is a number, not a list: check what the variable holds here",
    ("dict", "append"): "a dict gets new entries by assigning to a key",
}
_IN_PLACE = ("sort", "reverse", "append", "extend", "insert", "remove", "clear", "update", "add")


# ---------------------------------------------------------------------- facts


@dataclass(frozen=True)
class _Facts:
    """What a rule may look at: the test's record, its error type and the error's message."""

    test: TestVerdict
    language: str
    source: str
    kind: str
    """The error type (`IndentationError` …), or "" if none."""
    detail: str
    """The error's own message; "" if none or unknown (hidden tests)."""

    @property
    def python(self) -> bool:
        return self.language != "javascript"

    @property
    def hidden(self) -> bool:
        return self.test.visibility == "hidden"

    @property
    def failure(self) -> Failure | None:
        """The public failure's record; None for a hidden test (even one judged in full)."""
        failure = self.test.failure
        return failure if isinstance(failure, Failure) and not self.hidden else None

    @property
    def line(self) -> int | None:
        return self.failure.line if self.failure else None

    @property
    def input(self) -> str | None:
        """The test's input as a learner sees it (the call, the stdin), or None."""
        return input_text(self.failure) if self.failure else None

    @property
    def given(self) -> str:
        """What the test gave the code, as data: the call, the stdin or a code test's code."""
        failure = self.failure
        return (failure.input or failure.code or "") if failure else ""

    @property
    def expected(self) -> str | None:
        return self.failure.expected if self.failure else None

    @property
    def actual(self) -> str | None:
        return self.failure.actual if self.failure else None

    @property
    def stdout(self) -> str | None:
        return self.failure.stdout if self.failure else None

    @property
    def traceback(self) -> str:
        error = self.failure.error if self.failure else None
        return error.traceback if error else ""

    @property
    def lines(self) -> list[str]:
        return self.source.splitlines()

    def code(self, number: int | None = None) -> str:
        """The source line `number` (default: the failing line), stripped, or ""."""
        number = self.line if number is None else number
        if number is None or not 1 <= number <= len(self.lines):
            return ""
        return self.lines[number - 1].strip()

    def at_start(self, number: int | None = None) -> str:
        """`at()` for the start of a sentence."""
        text = self.at(number)
        return text[0].upper() + text[1:]

    def at(self, number: int | None = None) -> str:
        """`line N (`code`)`, `line N` or `your code`."""
        number = self.line if number is None else number
        if number is None:
            return "your code"
        text = self.code(number)
        return f"line {number} ({_span(text)})" if text else f"line {number}"

    @property
    def entry(self) -> str | None:
        """The function a call test called."""
        return self.failure.entry_point if self.failure else None


def _span(text: str) -> str:
    """`text` as a Markdown code span, shortened."""
    text = " ".join(text.split())
    if len(text) > MAX_CODE:
        text = text[: MAX_CODE - 1] + "…"
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"


def _a(kind: str) -> str:
    """`kind` in a code span with its article: "an `int`", "a `list`"."""
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} `{kind}`"


def _escape(text: str) -> str:
    text = " ".join(text.split())
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text[:200])


def _facts(test: TestVerdict, language: str, source: str) -> _Facts:
    failure = test.failure
    if isinstance(failure, HiddenFailure):
        return _Facts(test, language, source, failure.error_type or "", "")
    error = failure.error if failure else None
    if error is None:
        return _Facts(test, language, source, "", "")
    if test.visibility == "hidden":  # judged in full for an author: still only its error type
        return _Facts(test, language, source, error.type, "")
    return _Facts(test, language, source, error.type, error.message.strip())


# ---------------------------------------------------------------------- source helpers


def _strip_strings(text: str, python: bool) -> str:
    """`text` with string literals emptied and comments removed."""
    text = re.sub(r"(\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'|`[^`]*`)", '""', text)
    return re.sub(r"#.*$" if python else r"//.*$", "", text, flags=re.M)


def _identifiers(facts: _Facts) -> list[str]:
    reserved = set(keyword.kwlist) if facts.python else _JS_KEYWORDS
    found: dict[str, None] = {}
    for line in facts.lines:
        for name in re.findall(r"[A-Za-z_$][\w$]*", _strip_strings(line, facts.python)):
            if name not in reserved:
                found[name] = None
    return list(found)


def _close_matches(facts: _Facts, name: str) -> list[str]:
    """Spellings close to `name`: identifiers in the learner's file first, then builtins."""
    own = [n for n in _identifiers(facts) if n != name]
    matches = difflib.get_close_matches(name, own, n=2, cutoff=0.7)
    if not matches:
        known = _PY_BUILTINS if facts.python else _JS_GLOBALS
        matches = difflib.get_close_matches(name, known, n=1, cutoff=0.65)
    lowered = [n for n in own if n.lower() == name.lower()]
    return list(dict.fromkeys(lowered + matches))[:2]


def _binding_lines(facts: _Facts, name: str) -> list[int]:
    """Lines that define or assign `name`."""
    n = re.escape(name)
    if facts.python:
        patterns = [
            rf"^\s*(?:async\s+)?(?:def|class)\s+{n}\b",
            rf"^\s*def\s+\w+\s*\([^)]*\b{n}\b",
            rf"(?<![\w.]){n}\s*(?:[-+*/%&|^@]|//|\*\*)?=(?!=)",
            rf"^\s*(?:[\w\s,()]*,\s*)?{n}\s*(?:,[\w\s,()]*)?=(?!=)",
            rf"\bfor\b[^:]*(?<![\w.]){n}\b[^:]*\bin\b",
            rf"\bimport\b.*\b{n}\b",
            rf"\bas\s+{n}\b",
        ]
    else:
        patterns = [
            rf"\b(?:let|const|var|function|class)\s+{n}\b",
            rf"\b(?:let|const|var)\s*[\[{{][^=]*\b{n}\b",
            rf"function\s*\w*\s*\([^)]*\b{n}\b",
            rf"\([^()]*\b{n}\b[^()]*\)\s*=>",
            rf"(?<![\w.$]){n}\s*=>",
            rf"(?<![\w.$]){n}\s*(?:[-+*/%&|^]|\*\*)?=(?![=>])",
        ]
    return [
        number
        for number, line in enumerate(facts.lines, 1)
        if any(re.search(p, _strip_strings(line, facts.python)) for p in patterns)
    ]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _enclosing_function(facts: _Facts, number: int) -> str | None:
    """The name of the function around line `number`, by indentation."""
    lines = facts.lines
    if not 1 <= number <= len(lines):
        return None
    depth = _indent(lines[number - 1])
    header = (
        r"\s*(?:async\s+)?def\s+(\w+)"
        if facts.python
        else r"\s*(?:(?:async\s+)?function\s*\*?\s*([\w$]+)|(?:const|let|var)\s+([\w$]+)\s*=)"
    )
    for index in range(number - 2, -1, -1):
        line = lines[index]
        if not line.strip() or _indent(line) >= depth:
            continue
        depth = _indent(line)
        found = re.match(header, line)
        if found:
            return next(g for g in found.groups() if g)
    return None


def _block(facts: _Facts, number: int) -> list[int]:
    """The lines of the block that line `number` opens (indentation for Python, braces for JS)."""
    lines = facts.lines
    if facts.python:
        depth = _indent(lines[number - 1])
        body: list[int] = []
        for index in range(number, len(lines)):
            if lines[index].strip() and _indent(lines[index]) <= depth:
                break
            body.append(index + 1)
        return body
    balance, started, body = 0, False, []
    for index in range(number - 1, len(lines)):
        text = _strip_strings(lines[index], facts.python)
        if started or "{" in text:
            body.append(index + 1)
        balance += text.count("{") - text.count("}")
        started = started or "{" in text
        if started and balance <= 0:
            break
    return body[1:] if body and body[0] == number and len(body) > 1 else body


def _python_function(source: str, name: str | None) -> ast.FunctionDef | None:
    if name is None:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _loops(facts: _Facts) -> list[int]:
    pattern = r"^\s*(?:for|while)\b" if facts.python else r"^\s*(?:\}\s*)?(?:for|while|do)\b"
    return [n for n, line in enumerate(facts.lines, 1) if re.match(pattern, line)]


# ---------------------------------------------------------------------- Python errors

_Builder = Callable[[_Facts, Any], list[str]]


def _say(*templates: str) -> Callable[..., list[str]]:
    """A builder from sentence templates: `{at}` is the failing line with its code (`{At}` to
    start a sentence), `{1}`, `{2}` … the groups of the message's match, `{a1}` group 1 with its
    article ("an `int`")."""

    def build(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
        groups = [g or "" for g in ((m.group(0), *m.groups()) if m else ("",))]
        article = _a(groups[1]) if len(groups) > 1 else ""
        return [t.format(*groups, at=f.at(), At=f.at_start(), a1=article) for t in templates]

    return build


_generic_name = _say(
    "{At} uses a name that has no value at that moment.",
    "Check the spelling of every name against where it is defined, and that it is assigned "
    "before use, in the same function.",
)
_py_unhashable = _say(
    "{At} uses {a1} as a dict key or set member; {a1} can change, so it cannot be hashed.",
    "Use an unchangeable equivalent (a tuple instead of a list, a frozenset instead of a set).",
)
_py_item_assignment = _say(
    "{At} assigns to one item of {a1}, and {a1} cannot be changed in place.",
    "Build a new value instead (for text: collect the pieces in a list and join them).",
)
_py_not_integer = _say(
    "{At} needs a whole number (for `range` or an index) but got {a1}.",
    "A `/` division always gives a float: `//` divides to a whole number.",
)
_py_pop_empty = _say(
    "{At} pops from an empty list.",
    "Check the list is not empty before taking from it (an empty list is false in `if`).",
)
_generic_key_error = _say(
    "{At} looks up a key that the dictionary does not contain.",
    "Check with `key in d` first, or read it with `d.get(key, default)`.",
)
_py_module_attribute = _say(
    "The module `{1}` has no `{2}` ({at}).",
    "Check the spelling, and whether a file of yours shadows the module's name.",
)
_py_empty_sequence = _say(
    "`{1}()` on {at} got an empty sequence: there is no largest/smallest item.",
    "Handle the empty case first, or give a `default=`.",
)
_py_not_in_list = _say(
    "{At} looks for `{1}` in a list that does not contain it.",
    "Test with `in` before calling `index` or `remove`.",
)
_py_value_error = _say(
    "{At} passes a value of the right type but an unusable content.",
    "Print the value just before this line and compare it with what you expected.",
)
_missing_colon = _say(
    "{At} starts a block, so it must end with a colon `:`.",
    "Every `def`, `if`, `elif`, `else`, `for`, `while`, `try` and `except` line ends in `:`.",
)
_never_closed = _say(
    "The `{1}` opened on {at} is never closed.",
    "Count the opening and closing brackets on that line; Python may report the line after it, "
    "where it notices.",
)
_unterminated_string = _say(
    "A string on {at} is opened but never closed.",
    "Close it with the same quote it started with; a quote inside the text needs the other kind "
    "of quote around it (or a backslash).",
)
_unexpected_indent = _say(
    "{At} is indented more than the line before it, but nothing opened a new block there.",
    "Line it up with the statements around it: indentation is part of Python's grammar.",
)
_unindent = _say(
    "The indentation of {at} does not line up with any enclosing block.",
    "Align it exactly with the block it belongs to (same number of spaces), and don't mix tabs "
    "with spaces.",
)
_expected_block = _say(
    "The line before {at} ends with `:`, so the next line must be indented.",
    "Indent the body of the block (4 spaces); an empty block needs `pass`.",
)
_tabs = _say(
    "{At} mixes tabs and spaces for indentation.",
    "Use spaces only (most editors can convert tabs to spaces).",
)
_assign_in_condition = _say(
    "{At} uses `=` where a comparison is expected.",
    "`=` stores a value; `==` asks whether two values are equal.",
)
_print_parentheses = _say(
    "{At} uses `print` without parentheses.",
    "In Python 3, `print` is a function: what to print goes inside `print(...)`.",
)
_invalid_character = _say(
    "{At} contains the character `{1}`, which is not valid code.",
    "Curly quotes and dashes often come from copying text: retype them as plain `'`, `\"` or `-`.",
)
_outside_function = _say(
    "`{1}` on {at} is not inside a function (or loop).",
    "Check its indentation: it must sit inside the block it belongs to.",
)
_UNDEFINED_SOURCES = (
    "`undefined` usually comes from an index past the end of an array, a missing object key, "
    "or a function without `return`."
)
_js_old_read_property = _say(
    "{At} reads `.{1}` from a value that is `{2}`.",
    _UNDEFINED_SOURCES,
)
_js_reduce_empty = _say(
    "{At} calls `reduce` on an empty array without a starting value.",
    "Pass the starting value as `reduce`'s second argument.",
)
_js_invalid_array_length = _say(
    "{At} creates an array with a negative, fractional or huge length.",
    "Print the length you pass: it must be a whole number from 0 up.",
)
_js_invalid_count = _say(
    "{At} calls `repeat` with a negative or infinite count.",
    "Check the count you compute before repeating.",
)
_js_type_error = _say(
    "{At} uses a value of the wrong type for that operation.",
    "Check what the value holds (`console.log(typeof value, value)`) just before this line.",
)
_js_missing_paren = _say(
    "A call on {at} is not closed properly: JavaScript reached something that is neither a "
    "comma nor `)`.",
    "Separate arguments with commas, join strings with `+`, and close every `(`.",
)
_js_unexpected = _say(
    "JavaScript did not expect {1} on {at}.",
    "Something between it and what comes before is missing: a comma, an operator, `+` to join "
    "strings, or a semicolon.",
)
_js_illegal_return = _say(
    "The `return` on {at} is outside any function.",
    "A `}}` before it probably closes the function too early.",
)


def _py_name_error(f: _Facts, m: re.Match[str]) -> list[str]:
    name = m.group(1)
    points = [f"Python does not know the name `{name}` when {f.at()} runs."]
    suggested = m.group(2) if m.lastindex and m.lastindex >= 2 and m.group(2) else None
    matches = [suggested] if suggested else _close_matches(f, name)
    if matches:
        options = " or ".join(f"`{c}`" for c in matches)
        points.append(f"Did you mean {options}? A small typo is the most common cause.")
    points.extend(_definition_points(f, name))
    if not matches and not _binding_lines(f, name):
        called = re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", f.code())
        points.append(
            f"No function named `{name}` exists in your file or in Python: check the spelling."
            if called
            else f"`{name}` is not defined anywhere in your file: create it before this line, "
            "or, if you meant the text itself, put it in quotes."
        )
    return points


def _definition_points(f: _Facts, name: str) -> list[str]:
    """Where `name` is defined, if that explains why it is unknown at the failing line."""
    if f.line is None:
        return []
    here = _enclosing_function(f, f.line)
    points: list[str] = []
    for number in _binding_lines(f, name):
        there = _enclosing_function(f, number)
        if there and there != here:
            points.append(
                f"`{name}` is set on line {number}, inside `{there}`: names made inside one "
                "function are not visible in another; pass the value as an argument or return it."
            )
            break
        if number > f.line and there == here:
            points.append(
                f"`{name}` is only assigned on line {number}, after line {f.line} runs: "
                "a name must get its value before it is used."
            )
            break
    return points


def _py_unbound(f: _Facts, m: re.Match[str]) -> list[str]:
    name = m.group(1) or m.group(2)
    points = [
        f"`{name}` is assigned somewhere in this function, which makes it local to the whole "
        f"function, but {f.at()} reads it before it has a value."
    ]
    matches = _close_matches(f, name)
    if matches:
        points.append(f"Did you mean `{matches[0]}`? A typo creates a new, empty local name.")
    outside = [n for n in _binding_lines(f, name) if _enclosing_function(f, n) is None]
    if outside:
        points.append(
            f"There is {_a(name)} outside the function (line {outside[0]}), but assigning to it "
            "inside makes a separate local one: pass it in as a parameter and return the result."
        )
    points.append(f"Give `{name}` a starting value near the top of the function, before the loop.")
    return points


def _py_operand(f: _Facts, m: re.Match[str]) -> list[str]:
    operator, left, right = m.group(1), m.group(2), m.group(3)
    points = [
        f"{f.at_start()} applies `{operator}` to {_a(left)} and {_a(right)}; Python "
        "will not combine those two types."
    ]
    return points + _type_pair_advice(left, right)


def _type_pair_advice(left: str, right: str) -> list[str]:
    pair = {left, right}
    if "NoneType" in pair:
        return [_NONE_ADVICE]
    if pair == {"str", "int"} or pair == {"str", "float"}:
        return [
            "One side is text and the other a number: convert the text with `int(...)` / "
            "`float(...)`, or the number with `str(...)`, depending on which you mean."
        ]
    if "list" in pair:
        return ["Adding to a list needs another list; to add one item, use the list's `append`."]
    return ["Check what each side holds at this point: print them, or their `type(...)`."]


_NONE_ADVICE = (
    "A value is `None` here: usually a function that forgot to `return` (it returns `None`), "
    "or an in-place method such as `list.sort()` whose result was stored."
)


def _py_concat(f: _Facts, m: re.Match[str]) -> list[str]:
    container, other = m.group(1), m.group(2)
    points = [f"{f.at_start()} joins {_a(container)} and {_a(other)} with `+`."]
    if container == "str":
        points.append(
            f"`+` between strings only joins strings: turn the `{other}` into text with "
            "`str(...)`, or use an f-string."
        )
    elif container == "list":
        points.append(f"`+` on a list needs another list; to add one `{other}` item, use `append`.")
    if other == "NoneType":
        points.append(_NONE_ADVICE)
    return points


def _py_not_subscriptable(f: _Facts, m: re.Match[str]) -> list[str]:
    kind = m.group(1)
    points = [f"{f.at_start()} uses `[...]` on {_a(kind)}, which has no items to index."]
    if kind == "NoneType":
        points.append(_NONE_ADVICE)
    elif kind in ("int", "float"):
        points.append(
            "The variable holds a number, not a list or string: did you mean to index the "
            "collection itself rather than a count or an element of it?"
        )
    elif kind in ("function", "method", "builtin_function_or_method"):
        points.append("That's a function: call it with `(...)` rather than indexing it.")
    return points


def _py_not_callable(f: _Facts, m: re.Match[str]) -> list[str]:
    kind = m.group(1)
    points = [f"{f.at_start()} calls {_a(kind)} with `(...)` as if it were a function."]
    shadowed = [
        name
        for name in _PY_BUILTINS
        if callable(getattr(builtins, name, None))
        and name.islower()
        and any(
            re.search(rf"^\s*{name}\s*=[^=]", line) or re.search(rf"\bfor\s+{name}\b", line)
            for line in f.lines
        )
    ]
    if shadowed:
        points.append(
            f"Your code assigns to `{shadowed[0]}`, which hides Python's built-in "
            f"`{shadowed[0]}()`: give your variable another name."
        )
    else:
        points.append(
            "Look for a variable named like a function, or a missing operator before `(`, "
            "such as `2(x)` where `2 * (x)` was meant."
        )
    return points


def _py_not_iterable(f: _Facts, m: re.Match[str]) -> list[str]:
    kind = m.group(1) or m.group(2)
    points = [f"{f.at_start()} loops over (or unpacks) {_a(kind)}, which is not a sequence."]
    if kind == "int":
        points.append("To repeat something n times, loop over `range(n)`, not over `n` itself.")
    elif kind == "NoneType":
        points.append(_NONE_ADVICE)
    return points


def _py_missing_args(f: _Facts, m: re.Match[str]) -> list[str]:
    function, count, names = m.group(1), m.group(2), m.group(3)
    return [
        f"The call to `{function}()` on {f.at()} gives {count} argument(s) too few: "
        f"{names} got no value.",
        f"Compare the call with the `def {function.split('.')[-1]}(...)` line: every "
        "parameter without a default needs an argument.",
    ]


def _py_too_many_args(f: _Facts, m: re.Match[str]) -> list[str]:
    function, takes, given = m.group(1), m.group(2), m.group(3)
    points = [
        f"`{function}()` takes {takes} positional argument(s) but the call on {f.at()} "
        f"passes {given}."
    ]
    if int(given) == int(takes) + 1:
        points.append(
            "If it is a method, Python passes the object itself as the first argument: its "
            "`def` line needs `self` first."
        )
    return points


def _py_compare(f: _Facts, m: re.Match[str]) -> list[str]:
    operator, left, right = m.group(1), m.group(2), m.group(3)
    points = [f"{f.at_start()} compares {_a(left)} with {_a(right)} using `{operator}`."]
    return points + _type_pair_advice(left, right)


def _py_type_error(f: _Facts, m: re.Match[str]) -> list[str]:
    points = [f"{f.at_start()} uses a value of the wrong type for that operation."]
    if "NoneType" in f.detail:
        points.append(_NONE_ADVICE)
    else:
        points.append("Check what each value holds here (its `type(...)`) against what you expect.")
    return points


def _py_index_error(f: _Facts, m: re.Match[str]) -> list[str]:
    what = m.group(1) or "sequence"
    indexed = _indexed(f.code())
    points: list[str] = []
    if indexed:
        seq, index = indexed
        points.append(
            f"On {f.at()}, the index `{index.strip()}` is outside `{seq}`: valid positions "
            f"run from 0 to `len({seq}) - 1`."
        )
        if index.replace(" ", "") == f"len({seq})":
            points.append(f"`len({seq})` itself is one past the last position.")
    else:
        points.append(f"{f.at_start()} reads a position the {what} does not have.")
    points.append(
        "Look for an off-by-one: a loop running to `len(...)` inclusive, `i + 1` at the last "
        "item, or starting at 1."
    )
    if "[]" in f.given or "''" in f.given:
        points.append(
            f"This test passes an empty input ({_span(f.input or '')}): there is "
            "no first item at all."
        )
    else:
        points.append("Could the list be empty at this point?")
    return points


def _indexed(code: str) -> tuple[str, str] | None:
    """The last `sequence[index]` on a line, the sequence read back over calls and brackets."""
    found: tuple[str, str] | None = None
    for match in re.finditer(r"\[([^\[\]:]+)\]", code):
        start, depth = match.start(), 0
        while start > 0:
            char = code[start - 1]
            if char in ")]":
                depth += 1
            elif char in "([":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and not (char.isalnum() or char in "_.$"):
                break
            start -= 1
        sequence = code[start : match.start()]
        if sequence and sequence[0] not in ".([" and depth == 0:
            found = (sequence, match.group(1).strip())
    return found


def _py_key_error(f: _Facts, m: re.Match[str]) -> list[str]:
    key = f.detail.strip()
    if not key:
        return _generic_key_error(f, None)
    return [
        f"{f.at_start()} looks up the key `{key}`, which the dictionary does not contain (yet).",
        "Check with `key in d` first, or read it with `d.get(key, default)`.",
        f"When counting or grouping, the first time `{key}` is seen it needs a starting value.",
    ]


def _py_zero_division(f: _Facts, m: re.Match[str]) -> list[str]:
    divisors = re.findall(
        r"(?:/|//|%)\s*([\w.]+(?:\([^()]*\))?)", _strip_strings(f.code(), f.python)
    )
    points = (
        [f"On {f.at()}, the divisor `{divisors[-1]}` is 0."]
        if divisors
        else [f"{f.at_start()} divides by zero (`/`, `//` or `%`)."]
    )
    if any("len(" in d for d in divisors) or "[]" in f.given:
        points.append("An empty input gives a length of 0: decide what the answer is then, first.")
    else:
        points.append("Work out which input makes it 0, and handle that case before dividing.")
    return points


def _recursion_points(f: _Facts) -> list[str]:
    function = f.entry
    frames = re.findall(r"line \d+, in (\w+)", f.traceback)
    frames += re.findall(r"at ([\w$]+) \(", f.traceback)
    if frames:
        function = frames[-1]
    name = f"`{function}`" if function else "A function"
    where = f" (the recursive call is on line {f.line})" if f.line else ""
    return [
        f"{name} keeps calling itself and never stops{where}.",
        "Check the base case: is there an `if` that returns without recursing, and is it "
        "reached for this input?",
        "Check that each recursive call gets a *smaller* argument, one step closer to the base "
        "case.",
    ]


def _py_attribute(f: _Facts, m: re.Match[str]) -> list[str]:
    kind, attribute = m.group(1), m.group(2)
    points = [f"{f.at_start()} uses `.{attribute}` on {_a(kind)}, which has no such name."]
    if kind == "NoneType":
        stored = [
            (n, method)
            for n, line in enumerate(f.lines, 1)
            for method in re.findall(rf"=\s*[\w.\[\]]+\.({'|'.join(_IN_PLACE)})\(", line)
        ]
        if stored:
            n, method = stored[0]
            points.append(
                f"Line {n} stores the result of `.{method}()`, which changes the value in place "
                "and returns `None`."
            )
        else:
            points.append(_NONE_ADVICE)
        return points
    hint = _PY_MIXUPS.get((kind, attribute))
    if hint:
        points.append(hint[0].upper() + hint[1:] + ".")
    else:
        options = dir(getattr(builtins, kind)) if hasattr(builtins, kind) else []
        close = difflib.get_close_matches(attribute, [o for o in options if o[0] != "_"], n=2)
        if close:
            points.append(f"A `{kind}` does have {' and '.join(f'`.{c}`' for c in close)}: a typo?")
        else:
            points.append(
                f"Is the value really {_a(kind)} here? If not, trace where it was assigned."
            )
    return points


def _py_int_literal(f: _Facts, m: re.Match[str]) -> list[str]:
    function, text = m.group(1), m.group(2)
    points = [
        f"{f.at_start()} converts the text {_span(text)} with `{function}()`, but "
        "it is not a number."
    ]
    if text in ("''", '""'):
        points.append("The text is empty: an empty line, or a split that produced empty pieces.")
    elif re.fullmatch(r"['\"]\s*-?\d+\s*['\"]", text):
        points.append("Note the spaces around it: strip them first.")
    elif "." in text and function == "int":
        points.append("It has a decimal point: `int()` only reads whole numbers.")
    else:
        points.append("Convert only the part that holds the number (is it the right piece?).")
    return points


def _py_unpack(f: _Facts, m: re.Match[str]) -> list[str]:
    want = m.group(2)
    got = m.group(3)
    many = m.group(1) == "too many"
    count = f"{got} values" if got else (f"more than {want}" if many else f"fewer than {want}")
    return [
        f"{f.at_start()} unpacks into {want} names, but the value has {count}.",
        "The number of names on the left must equal the number of items on the right: check "
        "what the value really contains (print it).",
    ]


def _memory(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
    points = ["The program used too much memory."]
    if f.line:
        points[0] = f"The program ran out of memory while running {f.at()}."
    loops = _loops(f)
    if loops:
        points.append(
            f"Does the loop on {f.at(loops[0])} end? A loop that never stops while adding to "
            "a list grows it until memory runs out."
        )
    points.append(
        "Also look for a huge list built at once (`[0] * n` with a giant `n`) or copies made in "
        "every recursive call."
    )
    return points


# ---------------------------------------------------------------------- syntax errors


def _unmatched(f: _Facts, m: re.Match[str]) -> list[str]:
    closing = m.group(1)
    opening = m.group(2) if m.lastindex and m.lastindex >= 2 else None
    if opening:
        first = f"{f.at_start()} closes `{opening}` with `{closing}`."
    else:
        first = f"{f.at_start()} has {_a(closing)} with no matching opening bracket."
    return [first, "Pair each `(`, `[` and `{` with its own closer, innermost first."]


def _py_invalid_syntax(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
    """A bare `invalid syntax`: guess from the line itself."""
    code = _strip_strings(f.code(), f.python)
    if re.match(r"(?:print)\s+[^(\s=]", code):
        return _print_parentheses(f)
    if re.match(r"(?:if|elif|while)\b", code) and re.search(r"[^=!<>:]=[^=]", code):
        return _assign_in_condition(f)
    if re.match(r"(?:def|if|elif|else|for|while|try|except|finally|class|with)\b", code) and (
        not code.rstrip().endswith(":")
    ):
        return _missing_colon(f)
    points = [f"Python cannot read {f.at()}."]
    previous = f.code(f.line - 1) if f.line and f.line > 1 else ""
    if previous and previous.count("(") + previous.count("[") > previous.count(
        ")"
    ) + previous.count("]"):
        points.append(
            f"The line before it (line {f.line - 1 if f.line else 0}) opens a bracket "
            "it never closes: Python reads on into this line."
        )
    points.append(
        "Look for a missing operator or comma, a missing closing bracket or quote on the line "
        "before, or a keyword used as a name."
    )
    return points


def _syntax_generic(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
    if f.python:
        return _py_invalid_syntax(f)
    return [
        f"JavaScript cannot parse {f.at()}.",
        "Check brackets and quotes are balanced, and that commas separate list items and "
        "arguments; the real mistake is often just before the reported spot.",
    ]


# ---------------------------------------------------------------------- JavaScript errors


def _js_not_defined(f: _Facts, m: re.Match[str]) -> list[str]:
    name = m.group(1)
    points = [f"JavaScript does not know the name `{name}` at {f.at()}."]
    matches = _close_matches(f, name)
    if name == "print":
        points.append("JavaScript prints with `console.log(...)`.")
    elif matches:
        options = " or ".join(f"`{c}`" for c in matches)
        points.append(
            f"Did you mean {options}? A small typo (or different capitals) is the usual cause."
        )
    points.extend(_definition_points(f, name))
    if not matches and not _binding_lines(f, name) and name != "print":
        points.append(
            f"Nothing declares `{name}`: declare it with `let` or `const` before using it. "
            "Names declared inside `{ … }` exist only inside those braces."
        )
    return points


def _js_before_init(f: _Facts, m: re.Match[str]) -> list[str]:
    name = m.group(1)
    points = [f"{f.at_start()} uses `{name}` before its `let`/`const` line has run."]
    later = [n for n in _binding_lines(f, name) if f.line is not None and n > f.line]
    if later:
        points.append(
            f"`{name}` is declared on line {later[0]}: it must be declared before it is used."
        )
    points.append("Move the declaration earlier, or use the value only after it.")
    return points


def _js_not_function(f: _Facts, m: re.Match[str]) -> list[str]:
    expression = m.group(1)
    points = [f"{f.at_start()} calls `{expression}` with `(...)`, but it is not a function."]
    member = expression.rsplit(".", 1)[-1] if "." in expression else None
    if member:
        if member in _JS_MIXUPS:
            points.append(_JS_MIXUPS[member])
        else:
            methods = [name for names in _JS_METHODS.values() for name in names]
            close = difflib.get_close_matches(member, methods, n=2, cutoff=0.6)
            if close:
                points.append(
                    f"There is no method `{member}` on this value; did you mean "
                    f"{' or '.join(f'`{c}`' for c in close)}?"
                )
            else:
                points.append(
                    f"Check the value before `.{member}` is the kind you expect "
                    "(an array, a string, an object …)."
                )
    else:
        points.append(
            f"Has `{expression}` been given a non-function value (a variable named "
            "like the function)?"
        )
    return points


def _js_read_property(f: _Facts, m: re.Match[str]) -> list[str]:
    empty, prop = m.group(1), m.group(2)
    code = _strip_strings(f.code(), f.python)
    verb = "setting" if m.group(0).startswith("Cannot set") else "reading"
    key = re.escape(prop)
    owners = re.findall(rf"([\w$.\]\[]+?)\??\.{key}\b", code) if prop else []
    owners += re.findall(rf"([\w$.\]\[]+?)\[\s*[\"']?{key}[\"']?\s*\]", code) if prop else []
    owners = [o for o in owners if o and o[0] not in ".[]"]
    if owners:
        first = f"On {f.at()}, `{owners[0]}` is `{empty}`, so {verb} `{prop}` on it fails."
    else:
        does = "sets" if verb == "setting" else "reads"
        first = f"{f.at_start()} {does} `{prop}` on a value that is `{empty}`."
    return [
        first,
        _UNDEFINED_SOURCES,
        "Print (`console.log`) the value just before this line to see which.",
    ]


def _js_not_iterable(f: _Facts, m: re.Match[str]) -> list[str]:
    value = m.group(1)
    points = [f"{f.at_start()} loops over (or spreads) `{value}`, which is not iterable."]
    if value == "undefined":
        points.append("The value is `undefined`: a missing `return`, argument or object key?")
    elif re.fullmatch(r"-?\d+(\.\d+)?", value) or re.fullmatch(r"[\w$]+", value):
        points.append(
            "`for … of` needs an array or string: if it is a number (a count or a length), "
            "loop with a counter (`for (let i = 0; i < n; i++)`) instead."
        )
    else:
        points.append(
            "`for … of` needs an array, string, Map or Set; for an object's keys use "
            "`Object.keys(...)`."
        )
    return points


def _js_constant(f: _Facts, m: re.Match[str]) -> list[str]:
    assigned = re.findall(
        r"([\w$]+)\s*(?:[-+*/%]?=(?!=)|\+\+|--)", _strip_strings(f.code(), f.python)
    )
    name = assigned[0] if assigned else None
    points = [
        f"{f.at_start()} changes "
        + (f"`{name}`, which was declared with `const`." if name else "a `const` variable.")
    ]
    if name:
        declared = [
            n for n, line in enumerate(f.lines, 1) if re.search(rf"\bconst\s+{name}\b", line)
        ]
        if declared:
            points.append(f"`{name}` is declared with `const` on line {declared[0]}.")
    points.append("A variable that must change needs `let`; `const` is for values set once.")
    return points


def _js_unexpected_token(f: _Facts, m: re.Match[str]) -> list[str]:
    token = m.group(1)
    points = [f"JavaScript did not expect `{token}` on {f.at()}."]
    if token in (")", "]", "}"):
        points.append(
            f"There is {_a(token)} with no matching opener, or something is missing "
            "right before it (a value after an operator, an argument)."
        )
    elif token == ";":
        points.append(
            "An expression stops early before this `;`: a missing value after an "
            "operator or an unclosed `(`?"
        )
    else:
        points.append("Look just before it: a missing comma, operator, bracket or quote.")
    return points


def _js_end_of_input(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
    counts = {b: _strip_strings(f.source, f.python).count(b) for b in "{}()[]"}
    missing = [
        f"`{close}`"
        for open_, close in (("{", "}"), ("(", ")"), ("[", "]"))
        if counts[open_] > counts[close]
    ]
    points = ["The file ends while a block or bracket is still open."]
    if missing:
        points.append(
            f"There are fewer {' and '.join(missing)} than openers: find the block "
            "(function, `if`, loop) that is never closed."
        )
    points.append("Matching indentation makes the missing closer easy to spot.")
    return points


def _js_invalid_token(f: _Facts, m: re.Match[str] | None = None) -> list[str]:
    code = f.code()
    if code.count("'") % 2 or code.count('"') % 2:
        return _unterminated_string(f)
    return [
        f"{f.at_start()} contains a character JavaScript cannot read.",
        "Often an unclosed string or a curly quote (`’`, `“`) pasted from elsewhere.",
    ]


def _js_redeclared(f: _Facts, m: re.Match[str]) -> list[str]:
    name = m.group(1)
    lines = [
        n
        for n in _binding_lines(f, name)
        if re.search(r"\b(let|const|var|function)\b", f.lines[n - 1])
    ]
    where = f" (lines {', '.join(map(str, lines[:3]))})" if len(lines) > 1 else ""
    return [
        f"`{name}` is declared twice in the same block{where}.",
        "Declare it once with `let`; later changes are plain assignments without `let`.",
    ]


# ---------------------------------------------------------------------- the error table


@dataclass(frozen=True)
class _Rule:
    language: str | None
    """"python", "javascript" or None for both."""
    error_type: re.Pattern[str]
    message: re.Pattern[str]
    build: _Builder


def _rule(language: str | None, error_type: str, message: str, build: _Builder) -> _Rule:
    return _Rule(language, re.compile(error_type), re.compile(message, re.S), build)


PY, JS = "python", "javascript"
_ANY = r""
_SYNTAX = r"SyntaxError|IndentationError|TabError"

_ERROR_RULES: list[_Rule] = [
    # --- Python names
    _rule(PY, r"NameError", r"name '(\w+)' is not defined(?:\. Did you mean: '(\w+)'\?)?",
          _py_name_error),
    _rule(PY, r"NameError", r"free variable '(\w+)'", _py_name_error),
    _rule(PY, r"UnboundLocalError|NameError",
          r"cannot access (?:local|free) variable '(\w+)'|local variable '(\w+)' referenced",
          _py_unbound),
    _rule(PY, r"NameError|UnboundLocalError", _ANY, _generic_name),
    # --- Python types
    _rule(PY, r"TypeError", r"unsupported operand type\(s\) for ([^:]+): '(\w+)' and '(\w+)'",
          _py_operand),
    _rule(PY, r"TypeError", r"can only concatenate (\w+) \(not \"(\w+)\"\) to \1", _py_concat),
    _rule(PY, r"TypeError", r"'(\w+)' object is not subscriptable", _py_not_subscriptable),
    _rule(PY, r"TypeError", r"'(\w+)' object is not callable", _py_not_callable),
    _rule(PY, r"TypeError", r"'(\w+)' object is not iterable|cannot unpack non-iterable (\w+)",
          _py_not_iterable),
    _rule(PY, r"TypeError", r"([\w.]+)\(\) missing (\d+) required (?:positional|keyword-only) "
          r"arguments?: (.*)", _py_missing_args),
    _rule(PY, r"TypeError", r"([\w.]+)\(\) takes (?:from \d+ to )?(\d+) positional arguments? "
          r"but (\d+) (?:were|was) given", _py_too_many_args),
    _rule(PY, r"TypeError", r"unhashable type: '(\w+)'", _py_unhashable),
    _rule(PY, r"TypeError", r"'([<>=!]+)' not supported between instances of '(\w+)' and '(\w+)'",
          _py_compare),
    _rule(PY, r"TypeError", r"'(\w+)' object does not support item assignment",
          _py_item_assignment),
    _rule(PY, r"TypeError", r"'(\w+)' object cannot be interpreted as an integer",
          _py_not_integer),
    _rule(PY, r"TypeError", r"(?:list|string|tuple) indices must be integers or slices, not (\w+)",
          _py_not_integer),
    _rule(PY, r"TypeError", _ANY, _py_type_error),
    # --- Python values and containers
    _rule(PY, r"IndexError", r"pop from empty", _py_pop_empty),
    _rule(PY, r"IndexError", r"(list|string|tuple)? ?index out of range|", _py_index_error),
    _rule(PY, r"KeyError", _ANY, _py_key_error),
    _rule(PY, r"ZeroDivisionError", _ANY, _py_zero_division),
    _rule(PY, r"RecursionError", _ANY, lambda f, m: _recursion_points(f)),
    _rule(PY, r"AttributeError", r"'(\w+)' object has no attribute '(\w+)'", _py_attribute),
    _rule(PY, r"AttributeError", r"module '(\w+)' has no attribute '(\w+)'",
          _py_module_attribute),
    _rule(PY, r"AttributeError", _ANY, lambda f, m: [
        f"{f.at_start()} uses `.name` on a value that does not have it.", _NONE_ADVICE]),
    _rule(PY, r"ValueError", r"invalid literal for (int)\(\) with base \d+: (.*)",
          _py_int_literal),
    _rule(PY, r"ValueError", r"could not convert string to (float): (.*)", _py_int_literal),
    _rule(PY, r"ValueError", r"(too many|not enough) values to unpack \(expected (\d+)"
          r"(?:, got (\d+))?\)", _py_unpack),
    _rule(PY, r"ValueError", r"(\w+)\(\) (?:arg|iterable argument) is an empty sequence",
          _py_empty_sequence),
    _rule(PY, r"ValueError", r"list\.remove\(x\): x not in list", _say(
        "{At} removes an item that the list does not contain.",
        "Test with `in` before calling `remove`.")),
    _rule(PY, r"ValueError", r"(.+?) is not in list", _py_not_in_list),
    _rule(PY, r"ValueError", _ANY, _py_value_error),
    _rule(None, r"MemoryError", _ANY, _memory),
    # --- Python syntax
    _rule(PY, _SYNTAX, r"expected ':'", _missing_colon),
    _rule(PY, _SYNTAX, r"'([(\[{])' was never closed", _never_closed),
    _rule(PY, _SYNTAX, r"closing parenthesis '(.)' does not match opening parenthesis '(.)'",
          _unmatched),
    _rule(PY, _SYNTAX, r"unmatched '(.)'", _unmatched),
    _rule(PY, _SYNTAX, r"unterminated (?:triple-quoted )?string|EOL while scanning|EOF while "
          r"scanning triple", _unterminated_string),
    _rule(PY, _SYNTAX, r"unexpected indent", _unexpected_indent),
    _rule(PY, _SYNTAX, r"unindent does not match", _unindent),
    _rule(PY, _SYNTAX, r"expected an indented block", _expected_block),
    _rule(PY, _SYNTAX, r"inconsistent use of tabs", _tabs),
    _rule(PY, _SYNTAX, r"Maybe you meant '==' |cannot assign to .* here", _assign_in_condition),
    _rule(PY, _SYNTAX, r"Missing parentheses in call to 'print'", _print_parentheses),
    _rule(PY, _SYNTAX, r"invalid character '(.)'", _invalid_character),
    _rule(PY, _SYNTAX, r"'(return|break|continue|yield)' outside", _outside_function),
    _rule(PY, _SYNTAX, _ANY, _py_invalid_syntax),
    # --- JavaScript
    _rule(JS, r"ReferenceError", r"Cannot access '([\w$]+)' before initialization",
          _js_before_init),
    _rule(JS, r"ReferenceError", r"([\w$]+) is not defined", _js_not_defined),
    _rule(JS, r"ReferenceError", _ANY, _generic_name),
    _rule(JS, r"TypeError", r"Cannot (?:read|set) properties of (undefined|null) "
          r"\((?:reading|setting) '([^']*)'\)", _js_read_property),
    _rule(JS, r"TypeError", r"Cannot read property '([^']*)' of (undefined|null)",
          _js_old_read_property),
    _rule(JS, r"TypeError", r"Assignment to constant variable", _js_constant),
    _rule(JS, r"TypeError", r"(.+?) is not iterable", _js_not_iterable),
    _rule(JS, r"TypeError", r"(.+?) is not a function", _js_not_function),
    _rule(JS, r"TypeError", r"Reduce of empty array with no initial value", _js_reduce_empty),
    _rule(JS, r"TypeError", _ANY, _js_type_error),
    _rule(JS, r"RangeError", r"Maximum call stack size exceeded",
          lambda f, m: _recursion_points(f)),
    _rule(JS, r"RangeError", r"Invalid array length", _js_invalid_array_length),
    _rule(JS, r"RangeError", r"Invalid count value", _js_invalid_count),
    _rule(JS, r"SyntaxError", r"Unexpected token '?([^']+?)'?$", _js_unexpected_token),
    _rule(JS, r"SyntaxError", r"missing \) after argument list", _js_missing_paren),
    _rule(JS, r"SyntaxError", r"Unexpected end of input", _js_end_of_input),
    _rule(JS, r"SyntaxError", r"Invalid or unexpected token", _js_invalid_token),
    _rule(JS, r"SyntaxError", r"Unterminated (?:string|template)", _unterminated_string),
    _rule(JS, r"SyntaxError", r"Unexpected (identifier(?: '[^']*')?|string|number|"
          r"template string)", _js_unexpected),
    _rule(JS, r"SyntaxError", r"Identifier '([\w$]+)' has already been declared", _js_redeclared),
    _rule(JS, r"SyntaxError", r"Illegal return statement", _js_illegal_return),
    _rule(JS, r"SyntaxError", r"Invalid left-hand side in assignment", _assign_in_condition),
    _rule(JS, r"SyntaxError", _ANY, _syntax_generic),
]  # fmt: skip


def _unknown_error(f: _Facts) -> list[str]:
    where = f"line {f.line}" if f.line else "the reported line"
    if f.python:
        reading = (
            "Read the traceback from the bottom: the last line names the error, and the lowest "
            f'`File "exercise.py"` entry above it is where it happened ({where}).'
        )
    else:
        reading = (
            "Read the first line of the stack trace for the error, then the first "
            f"`exercise.js:LINE` entry below it for where it happened ({where})."
        )
    return [
        f"{f.at_start()} raised `{f.kind or 'an error'}`"
        + (f": {_escape(f.detail)}." if f.detail else "."),
        reading,
        "Print the values used on that line just before it, and compare them with what you "
        "expected.",
    ]


# ---------------------------------------------------------------------- categories without an error


def _timeout(f: _Facts) -> list[str]:
    points: list[str] = []
    if f.failure and f.failure.reason == "after_timeout":
        return [
            "This test never ran: an earlier test took too long and the run was stopped.",
            "Fix the test that timed out first.",
        ]
    if f.failure and f.failure.reason == "while_loading":
        points.append(
            "The file itself never finished loading: code at the top level (outside "
            "any function) loops forever."
        )
    stuck = _stuck_loop(f)
    if stuck:
        number, names = stuck
        names_text = ", ".join(f"`{n}`" for n in names)
        points.append(
            f"The loop on {f.at(number)} tests {names_text}, but nothing inside it changes "
            f"{'it' if len(names) == 1 else 'them'}: the condition never becomes false."
        )
    elif _loops(f) and any(re.match(r"\s*while\b", f.lines[n - 1]) for n in _loops(f)):
        number = next(n for n in _loops(f) if re.match(r"\s*while\b", f.lines[n - 1]))
        points.append(
            f"Check the `while` loop on {f.at(number)}: does every pass move it closer to "
            "making its condition false?"
        )
    if _recursive_functions(f):
        name = _recursive_functions(f)[0]
        points.append(f"`{name}` calls itself: make sure every call gets closer to the base case.")
    if re.search(r"\binput\s*\(|readline|prompt\s*\(", f.source) and f.entry is not None:
        points.append(
            "It may be waiting for keyboard input: a function exercise gets its data "
            "from its arguments, not from `input()`."
        )
    if not points:
        points.append(
            "Something loops without end, or does far more work than needed: look "
            "at each loop's exit condition."
        )
    return points


def _stuck_loop(f: _Facts) -> tuple[int, list[str]] | None:
    """A `while` loop whose condition variables are never assigned inside its body."""
    for number, line in enumerate(f.lines, 1):
        found = re.match(r"\s*while\s*\(?(.*?)\)?\s*[:{]?\s*$", _strip_strings(line, f.python))
        if not found:
            continue
        condition = found.group(1)
        if re.fullmatch(r"\s*(True|true|1)\s*", condition):
            body = "\n".join(f.lines[n - 1] for n in _block(f, number))
            if not re.search(r"\b(break|return)\b", body):
                return number, [condition.strip()]
            continue
        reserved = set(keyword.kwlist) | _JS_KEYWORDS | {"len", "length"}
        names = [
            n
            for n in dict.fromkeys(re.findall(r"(?<![.\w$])([A-Za-z_$][\w$]*)(?!\s*\()", condition))
            if n not in reserved
        ]
        if not names:
            continue
        body = "\n".join(_strip_strings(f.lines[n - 1], f.python) for n in _block(f, number))
        changed = any(
            re.search(
                rf"(?<![\w.$]){re.escape(n)}\s*(?:[-+*/%]|//)?=(?!=)|(?:\+\+|--){re.escape(n)}\b"
                rf"|\b{re.escape(n)}(?:\+\+|--)|\b{re.escape(n)}\s*\.\s*(?:pop|append|push|shift|"
                rf"remove|splice|add|clear|insert|extend|unshift)\b",
                body,
            )
            for n in names
        )
        if body.strip() and not changed and not re.search(r"\b(break|return)\b", body):
            return number, names
    return None


def _recursive_functions(f: _Facts) -> list[str]:
    header = (
        r"\s*def\s+(\w+)"
        if f.python
        else r"\s*(?:function\s+([\w$]+)|(?:const|let)\s+([\w$]+)\s*=)"
    )
    found: list[str] = []
    for number, line in enumerate(f.lines, 1):
        match = re.match(header, line)
        if not match:
            continue
        name = next(g for g in match.groups() if g)
        body = "\n".join(f.lines[n - 1] for n in _block(f, number))
        if re.search(rf"(?<![\w.$]){re.escape(name)}\s*\(", body):
            found.append(name)
    return found


def _too_slow(f: _Facts) -> list[str]:
    points = ["The answer is right, but it takes too long on a big input."]
    if f.hidden:
        points = ["The answer is right, but a hidden test with a big input takes too long."]
    loops = _loops(f)
    nested = [(outer, inner) for outer in loops for inner in loops if inner in _block(f, outer)]
    if nested:
        outer, inner = nested[0]
        points.append(
            f"The loop on {f.at(inner)} runs inside the loop on line {outer}: the work grows "
            "with the square of the input size."
        )
    membership = [
        n
        for outer in loops
        for n in _block(f, outer)
        if re.search(
            r"\bin\s+[A-Za-z_][\w.]*\s*(?:[:)&|]|and|or|$)|\.(?:count|index|includes|"
            r"indexOf)\(",
            _strip_strings(f.lines[n - 1], f.python),
        )
        and not re.match(r"\s*for\b", f.lines[n - 1])
    ]
    if membership:
        points.append(
            f"{f.at_start(membership[0])} searches a whole list on every pass: "
            + ("a set or dict" if f.python else "a `Set` or `Map`")
            + " answers “is it there?” at once."
        )
    recursive = _recursive_functions(f)
    if recursive:
        points.append(
            f"`{recursive[0]}` calls itself: if it recomputes the same values again "
            "and again, remember the results already computed."
        )
    if len(points) == 1:
        points.append("Look for work repeated inside a loop that could be done once, before it.")
    return points


def _output_limit(f: _Facts) -> list[str]:
    if f.failure and f.failure.reason == "after_flood":
        return [
            "This test never ran: an earlier test printed too much and the run was stopped.",
            "Fix the flood of output first.",
        ]
    printing = r"\bprint\s*\(" if f.python else r"\bconsole\.(?:log|error)\s*\("
    in_loop = [
        n for outer in _loops(f) for n in _block(f, outer) if re.search(printing, f.lines[n - 1])
    ]
    points = ["The program printed far more than any test expects, so it was stopped."]
    if in_loop:
        points.append(f"The print on {f.at(in_loop[0])} is inside a loop: does that loop ever end?")
    else:
        points.append("Look for a print inside a loop that never ends, or inside a recursion.")
    return points


def _no_report(f: _Facts) -> list[str]:
    return [
        "The program stopped before this test could report a result.",
        "Does your code call `exit()` / `process.exit()`, or end the program some other way? "
        "Remove that: the tests need the program to keep running.",
    ]


def _exit_status(f: _Facts) -> list[str]:
    status = f.failure.exit_status if f.failure else None
    return [
        f"The output is right, but the program ended with exit status {status} instead of 0, "
        "which means “something went wrong”.",
        "Does it call `exit(...)` / `process.exit(...)` with a number, or set "
        "`process.exitCode`? Let it end normally.",
    ]


def _tampered(f: _Facts) -> list[str]:
    return [
        "The channel the tests use to report results was written to by the program.",
        "Don't write to the test harness's files or streams; just return (or print) the answer.",
    ]


# ---------------------------------------------------------------------- wrong answers

_UNDEFINED = object()
_NAN = object()


def _comparable(value: Any) -> Any:
    """A canonical value (docs/harness-protocol.md § Values) as the rules compare it: None,
    `_UNDEFINED`, `_NAN`, or JSON data (sets, maps and objects stay in their canonical form)."""
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict) and set(value) == {"$undefined"}:
        return _UNDEFINED
    if isinstance(value, dict) and set(value) == {"$float"}:
        name = value["$float"]
        return _NAN if name == "nan" else -math.inf if name == "-inf" else math.inf
    return value


def _missing_return(f: _Facts) -> bool:
    """Whether the tested function has no `return` with a value (None if unknown)."""
    if f.python:
        node = _python_function(f.source, f.entry)
        if node is None:
            return False
        return not any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node))
    if not f.entry:
        return False
    name = re.escape(f.entry)
    for number, line in enumerate(f.lines, 1):
        if re.search(rf"function\s+{name}\b|(?:const|let|var)\s+{name}\s*=", line):
            if "=>" in line and not re.search(r"=>\s*\{", line):
                return False
            body = "\n".join(f.lines[n - 1] for n in [number, *_block(f, number)])
            return not re.search(r"\breturn\b\s*[^;\s}]", body)
    return False


def _wa_nothing_returned(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    none = "undefined" if actual is _UNDEFINED else "None"
    if not (actual is None or actual is _UNDEFINED) or expected is None:
        return None
    if f.stdout and f.stdout.strip():
        return [
            f"The function returned `{none}` but printed {_span(f.stdout.strip())}.",
            "Printing shows a value; the test needs it *returned* with `return`.",
        ]
    if _missing_return(f):
        name = f"`{f.entry}`" if f.entry else "The function"
        return [
            f"{name} has no `return` with a value, so it gives back `{none}`.",
            "Compute the answer, then hand it back with `return`.",
        ]
    return [
        f"The function gave back `{none}`: some path through it ends without `return`ing a value.",
        "Check every branch (each `if`/`else`, and after the loop) ends with a `return`.",
    ]


def _wa_nan(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    if actual is not _NAN:
        return None
    return [
        "The result is `NaN` (“not a number”): arithmetic met something that is not a number.",
        "Usually `undefined` (an index past the end, a missing key or return) or text that "
        "`Number(...)` cannot read went into a sum.",
    ]


def _wa_text_vs_number(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    def is_number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    if is_number(expected) and isinstance(actual, str):
        return [
            f"The value looks right but has the wrong type: the test expects the number "
            f"{_span(f.expected or '')}, your function returned the text "
            f"{_span(f.actual or '')}.",
            "Return the number itself, not its text form.",
        ]
    if isinstance(expected, str) and is_number(actual):
        return [
            f"The test expects text ({_span(f.expected or '')}) but your function "
            f"returned the number {_span(f.actual or '')}.",
            "Convert the result to a string before returning it.",
        ]
    return None


def _wa_off_by_one(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (expected, actual))
    if numbers and abs(expected - actual) == 1:
        more = "one more" if actual > expected else "one less"
        return [
            f"Your result is {more} than expected ({actual} instead of {expected}): a classic "
            "off-by-one.",
            "Check loop bounds (`range` end, `<` vs `<=`), a start at 0 vs 1, and whether the "
            "first or last item is counted.",
        ]
    lists = isinstance(expected, list) and isinstance(actual, list)
    if lists and abs(len(expected) - len(actual)) == 1:
        fewer = len(actual) < len(expected)
        return [
            f"Your list has {len(actual)} item(s), the expected one {len(expected)}: one item "
            f"{'is missing' if fewer else 'too many'}.",
            "Check the first and last items in particular: loop bounds and the conditions that "
            "decide what is added.",
        ]
    return None


def _wa_order(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    if not (isinstance(expected, list) and isinstance(actual, list)) or expected == actual:
        return None
    try:
        same_items = sorted(map(repr, expected)) == sorted(map(repr, actual))
    except TypeError:
        return None
    if not same_items:
        return None
    if list(reversed(expected)) == actual:
        return [
            "You have the right items in reverse order.",
            "Check the direction you walk the input, or where new items are inserted.",
        ]
    return [
        "You have the right items, but in a different order.",
        "Check the order the exercise asks for: the order of the input, sorted, …?",
    ]


def _wa_text(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    if not (isinstance(expected, str) and isinstance(actual, str)):
        return None
    if expected.lower() == actual.lower():
        return [
            "The text is right except for upper/lower case.",
            "Compare the capital letters carefully with the expected text.",
        ]
    if expected.strip() == actual.strip() or " ".join(expected.split()) == " ".join(actual.split()):
        return [
            "The text is right except for spaces.",
            "Look at spaces at the start, end or between words.",
        ]
    return None


def _wa_boolean(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    if isinstance(expected, bool) and isinstance(actual, bool):
        return [
            f"The function answers `{f.actual}` where `{f.expected}` is expected for "
            f"{_span(f.input or 'this input')}.",
            "Check the condition for this case, in particular whether it is reversed or misses an "
            "edge case (empty, equal values).",
        ]
    return None


def _wa_output(f: _Facts, expected: Any, actual: Any) -> list[str] | None:
    """Programs (stdio tests): the record names the first differing line."""
    difference = f.failure.difference if f.failure else None
    if difference is None:
        return None
    if difference.got_lines == 0:
        return [
            "The program printed nothing.",
            "Check that it reads the input and prints the result, and that nothing stops it early.",
        ]
    if difference.line is not None:
        return [
            f"Output line {difference.line} should be {_span(repr(difference.expected))} but was "
            f"{_span(repr(difference.got))}.",
            "Check the value and its formatting (spaces, decimals, capitals) on that line.",
        ]
    return [
        "The number of output lines is wrong.",
        "Check the loop that prints: how many times does it run?",
    ]


_WRONG_ANSWER_RULES: list[Callable[[_Facts, Any, Any], list[str] | None]] = [
    _wa_output,
    _wa_nothing_returned,
    _wa_nan,
    _wa_text_vs_number,
    _wa_off_by_one,
    _wa_order,
    _wa_text,
    _wa_boolean,
]


def _wrong_answer(f: _Facts) -> list[str]:
    if f.hidden:
        return [
            "A hidden test got a wrong answer; its input is not shown on purpose.",
            "Think of cases the public tests may not cover: empty input, a single item, "
            "negatives, duplicates, very large values.",
        ]
    values = f.failure.values if f.failure else None
    expected = _comparable(values.expected) if values else None
    actual = _comparable(values.actual) if values else None
    for rule in _WRONG_ANSWER_RULES:
        points = rule(f, expected, actual)
        if points:
            return points
    called = _span(f.input) if f.input else "this test"
    return [
        f"For {called} your code gives {_span(f.actual or '?')}, the test expects "
        f"{_span(f.expected or '?')}.",
        "Work through this input by hand, line by line, and note where your values first differ "
        "from what you expect.",
    ]


_CATEGORY_RULES: dict[str, Callable[[_Facts], list[str]]] = {
    "wrong_answer": _wrong_answer,
    "timeout": _timeout,
    "too_slow": _too_slow,
    "output_limit": _output_limit,
    "memory_limit": _memory,
    "no_report": _no_report,
    "tampered": _tampered,
}

_CATEGORY_TITLES = {
    "wrong_answer": "Wrong answer",
    "timeout": "Timed out",
    "too_slow": "Too slow",
    "output_limit": "Too much output",
    "memory_limit": "Out of memory",
    "no_report": "No result",
    "tampered": "Test channel tampered with",
    "syntax_error": "Syntax error",
    "runtime_error": "Error",
}


# ---------------------------------------------------------------------- entry point


def explain_offline(test: TestVerdict, language: str, source: str) -> str:
    """Markdown explanation of one failing test verdict (or a syntax error) from rules alone."""
    facts = _facts(test, language, source)
    if test.passed:
        return f"**Passed**\n\n- “{_escape(test.name)}” passes: there is nothing to explain."
    by_category = _CATEGORY_RULES.get(test.category)
    points = by_category(facts) if by_category else _error_points(facts)
    if facts.hidden and test.category != "wrong_answer":
        points = [
            "Its input stays hidden on purpose; here is what this kind of failure usually means.",
            *points,
        ]
    lines = [_header(facts), "", *(f"- {p}" for p in points[:MAX_POINTS])]
    return "\n".join(lines)


def _error_points(facts: _Facts) -> list[str]:
    if facts.failure and facts.failure.reason == "exit_status":
        return _exit_status(facts)
    for rule in _ERROR_RULES:
        if rule.language not in (None, facts.language):
            continue
        if not rule.error_type.fullmatch(facts.kind):
            continue
        match = rule.message.search(facts.detail)
        if match:
            try:
                return rule.build(facts, match)
            except (IndexError, AttributeError, ValueError, TypeError, re.error):
                break  # a rule that misreads an odd message must never break the tutor
    return _unknown_error(facts)


def _header(f: _Facts) -> str:
    category = f.test.category
    title = f.kind if f.kind and category in ("runtime_error", "syntax_error") else ""
    title = title or _CATEGORY_TITLES.get(category, category)
    if f.hidden:
        return f"**{title}** in hidden test “{_escape(f.test.label)}”"
    header = f"**{title}**"
    failure = f.failure
    if f.detail and category in ("runtime_error", "syntax_error"):
        header += f": {_escape(f.detail)}"
    elif failure and failure.budget is not None:
        budget = failure.budget
        header += f": {budget.cpu_ms:.0f} ms, the budget is {budget.budget_ms:.0f} ms"
    elif failure and failure.reason == "exit_status":
        header += f": {_escape(what_happened(failure))}"
    elif failure and failure.kind == "wrong_answer":
        called = failure.difference is None and f.input and f.actual is not None
        if called and f.expected is not None:
            header += (
                f": {_span(f.input or '')} gave {_span(f.actual or '')}, "
                f"expected {_span(f.expected)}"
            )
        else:  # a program's output: the first differing line
            header += f": {_escape(what_happened(failure))}"
    if f.line:
        code = f.code()
        header += f" — line {f.line}" + (f": {_span(code)}" if code else "")
    return header
