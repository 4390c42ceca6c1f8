"""docs/operators.md against the code: setting paths, defaults and bounds, the limits table,
`codegym` commands and `make.py` commands, environment variables, constants, container labels,
quoted log messages, file paths and links. The guide writes a setting as its dotted path from
`codegym.config.Settings` in backticks (`sandbox.limits.wall_s`; VS Code's `codegym.` prefix is
allowed), and every such path must exist."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from codegym.cli import build_parser
from codegym.config import ExerciseLimits, SandboxLimits, Settings
from codegym.sandbox import docker_backend, local

from .conftest import ROOT

GUIDE = ROOT / "docs" / "operators.md"
SERVER = ROOT / "server" / "codegym"
ROOTS = "|".join(map(re.escape, Settings.model_fields))
SETTING = re.compile(rf"^(?:codegym\.)?((?:{ROOTS})(?:\.[A-Za-z_]+)*)$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"}


# ---------------------------------------------------------------------- reading the guide


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def split_fences(text: str) -> tuple[str, list[str]]:
    """The prose (fenced blocks blanked out) and the lines of the fenced blocks."""
    prose, code, fenced = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            prose.append("")
            continue
        (code if fenced else prose).append(line)
    return "\n".join(prose), code


def inline_spans(text: str) -> list[str]:
    prose, _ = split_fences(text)
    return [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", prose)]


def table_cells(line: str) -> list[str]:
    """Split a Markdown table row on the pipes outside code spans."""
    cells, current, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every table: (header cells, body rows)."""
    prose, _ = split_fences(text)
    found: list[tuple[list[str], list[list[str]]]] = []
    block: list[str] = []
    for line in [*prose.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) >= 2:
            rows = [table_cells(row) for row in block]
            found.append((rows[0], rows[2:]))
        block = []
    return found


def first_code(cell: str) -> str | None:
    match = re.search(r"`([^`]+)`", cell)
    return match.group(1) if match else None


# ---------------------------------------------------------------------- the config model


def resolve(path: str) -> FieldInfo:
    """The field a dotted setting path names; fails the test when there is none."""
    model: type[BaseModel] = Settings
    parts = path.split(".")
    field: FieldInfo | None = None
    for index, part in enumerate(parts):
        assert part in model.model_fields, f"`{path}`: {model.__name__} has no field {part!r}"
        field = model.model_fields[part]
        if index < len(parts) - 1:
            inner = field.annotation
            assert isinstance(inner, type) and issubclass(inner, BaseModel), (
                f"`{path}`: {part!r} has no fields below it"
            )
            model = inner
    assert field is not None
    return field


def leaf_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, field in model.model_fields.items():
        inner = field.annotation
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            paths += leaf_paths(inner, f"{prefix}{name}.")
        else:
            paths.append(prefix + name)
    return paths


def bounds(field: FieldInfo) -> list[float]:
    """[lower, upper] from the field's gt/ge and le constraints."""
    lower = upper = None
    for item in field.metadata:
        for attribute in ("gt", "ge"):
            if getattr(item, attribute, None) is not None:
                lower = getattr(item, attribute)
        if getattr(item, "le", None) is not None:
            upper = item.le
    return [float(v) for v in (lower, upper) if v is not None]


def numbers(cell: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(cell)]


def assert_default(path: str, field: FieldInfo, cell: str) -> None:
    if field.default_factory is not None:
        return  # computed at start-up (parallelism): described in words
    value: Any = field.default
    if isinstance(value, BaseModel):
        return
    if value is None:
        assert cell.lower().startswith("none"), f"`{path}` defaults to None, the guide: {cell!r}"
    elif isinstance(value, bool):
        assert f"`{str(value).lower()}`" in cell, f"`{path}` defaults to {value}: {cell!r}"
    elif isinstance(value, (int, float)):
        found = numbers(cell)
        assert found and found[0] == value, f"`{path}` defaults to {value}: {cell!r}"
    else:
        assert f"`{value}`" in cell, f"`{path}` defaults to {value!r}: {cell!r}"


def settings_tables() -> list[tuple[list[str], list[list[str]]]]:
    return [
        (header, rows)
        for header, rows in tables(guide_text())
        if header and header[0] == "setting" and "default" in header
    ]


def column(header: list[str], name: str) -> int:
    assert name in header, f"a settings table needs a {name!r} column: {header}"
    return header.index(name)


# ---------------------------------------------------------------------- settings


def test_every_setting_path_in_the_guide_exists() -> None:
    checked = 0
    for span in inline_spans(guide_text()):
        if match := SETTING.match(span):
            resolve(match.group(1))
            checked += 1
    assert checked > 50, "the guide names settings as dotted paths in backticks"


def test_every_setting_is_documented() -> None:
    named = {m.group(1) for s in inline_spans(guide_text()) if (m := SETTING.match(s))}
    missing = [path for path in leaf_paths(Settings) if path not in named]
    assert not missing, f"settings the guide does not mention: {missing}"


def test_settings_tables_give_the_real_defaults() -> None:
    found = settings_tables()
    assert len(found) >= 2, "the settings table and the limits table"
    for header, rows in found:
        default = column(header, "default")
        for row in rows:
            path = first_code(row[0])
            assert path and SETTING.match(path), f"row without a setting path: {row}"
            path = SETTING.match(path).group(1)  # type: ignore[union-attr]
            assert_default(path, resolve(path), row[default])


def test_limits_table_covers_every_limit_with_its_bounds() -> None:
    limits_tables = [
        (header, rows)
        for header, rows in settings_tables()
        if any((first_code(row[0]) or "").startswith("sandbox.limits.") for row in rows)
    ]
    assert len(limits_tables) == 1, "one table of sandbox.limits.*"
    header, rows = limits_tables[0]
    allowed = column(header, "allowed")
    exercise = column(header, "exercise may set")
    docker, local_ = column(header, "Docker"), column(header, "local")
    seen = []
    for row in rows:
        path = first_code(row[0]) or ""
        name = path.removeprefix("sandbox.limits.")
        seen.append(name)
        field = SandboxLimits.model_fields[name]
        assert numbers(row[allowed]) == bounds(field), f"{path}: allowed {bounds(field)}"
        override = ExerciseLimits.model_fields.get(name)
        if override is None:
            assert row[exercise] == "no", f"{path}: exercises cannot set it"
        else:
            assert numbers(row[exercise]) == bounds(override), f"{path}: {bounds(override)}"
        assert row[docker] and row[local_], f"{path}: say how each backend enforces it"
    assert sorted(seen) == sorted(SandboxLimits.model_fields), "every limit, once"


# ---------------------------------------------------------------------- commands


def command_lines(text: str) -> list[list[str]]:
    """`codegym …` and `python3 make.py …` invocations, as tokens after the program."""
    _, code = split_fences(text)
    found: list[list[str]] = []
    for candidate in [*inline_spans(text), *code]:
        try:
            tokens = shlex.split(candidate, comments=True)
        except ValueError:
            continue
        while tokens and (re.match(r"^[A-Z_]+=", tokens[0]) or tokens[0] in ("exec", "sudo")):
            tokens = tokens[1:]
        if not tokens:
            continue
        for index, token in enumerate(tokens):
            if token in SHELL_OPERATORS:
                tokens = tokens[:index]
                break
        if Path(tokens[0]).name == "codegym" or tokens[:2] == ["python3", "make.py"]:
            found.append(tokens)
    return found


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return None


def option(parser: argparse.ArgumentParser, flag: str) -> argparse.Action | None:
    for action in parser._actions:
        if flag in action.option_strings:
            return action
    return None


def check_codegym(tokens: list[str]) -> None:
    """Walk the tokens through the real parser: subcommands, their options, option values."""
    current = build_parser()
    path: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.startswith("-") and token not in ("-", "…"):
            action = option(current, token)
            assert action is not None, f"`codegym {' '.join(path)}` has no option {token}"
            if isinstance(action, argparse._VersionAction):
                return
            if action.nargs != 0 and index < len(tokens):  # prose may leave the value out
                value = tokens[index]
                index += 1
                if action.choices is not None:
                    assert value in action.choices, f"{token} {value}: not one of the choices"
                if action.type is int:
                    int(value)
            continue
        below = subcommands(current)
        if below is not None:
            assert token in below, f"`codegym {' '.join([*path, token])}` is no command"
            current, path = below[token], [*path, token]
    assert path, "a codegym command without a subcommand"
    assert subcommands(current) is None, f"`codegym {' '.join(path)}` needs an action"


def test_every_codegym_command_exists() -> None:
    lines = command_lines(guide_text())
    commands = [t[1:] for t in lines if Path(t[0]).name == "codegym" and len(t) > 1]
    assert len(commands) > 10
    for tokens in commands:
        check_codegym(tokens)


def test_every_make_py_command_exists() -> None:
    known = set(re.findall(r'command == "(\w+)"', (ROOT / "make.py").read_text()))
    used = [t[2] for t in command_lines(guide_text()) if t[:2] == ["python3", "make.py"]]
    assert used and set(used) <= known, f"make.py handles {sorted(known)}"


@pytest.mark.parametrize(
    "tokens",
    [
        ["check", "--backnd", "docker", "F"],
        ["check", "--backend", "dockr", "F"],
        ["images"],
        ["imagez", "build"],
        ["serve", "--tcp", "x"],
    ],
)
def test_the_command_check_catches_mistakes(tokens: list[str]) -> None:
    with pytest.raises((AssertionError, ValueError)):
        check_codegym(tokens)


# ---------------------------------------------------------------------- names and numbers


def server_source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SERVER.rglob("*.py")))


def test_environment_variables_are_real_and_complete() -> None:
    text = guide_text()
    named = set(re.findall(r"\bCODEGYM_[A-Z_]+\b", text))
    this_file = Path(__file__).resolve()
    sources = [p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != this_file]
    sources += [*SERVER.rglob("*.py"), ROOT / ".ci" / "run"]
    everything = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    unknown = sorted(v for v in named if v not in everything)
    assert not unknown, f"no code reads {unknown}"
    read = set(re.findall(r"environ(?:\.get\(|\[)\"(CODEGYM_[A-Z_]+)\"", server_source()))
    assert read, "the server reads CODEGYM_* variables in config.py"
    assert read <= named, f"undocumented: {sorted(read - named)}"
    for variable in ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "OLLAMA_HOST"):
        assert variable in text


def test_constants_quoted_in_the_guide_are_the_code_s() -> None:
    quoted = re.findall(r"`([A-Z][A-Z0-9_]+)` = (\d+)", guide_text())
    assert {name for name, _ in quoted} >= {"RUN_UIDS", "RUN_UID_BASE", "RUN_UID_SLOTS"}
    for name, value in quoted:
        module = docker_backend if hasattr(docker_backend, name) else local
        assert getattr(module, name) == int(value), f"{name} is {getattr(module, name)}"


def test_container_labels_exist() -> None:
    source = server_source()
    for label in set(re.findall(r"org\.codegym\.[a-z]+", guide_text())):
        assert f'"{label}"' in source, f"no container label {label}"


def test_quoted_log_and_tutor_messages_exist() -> None:
    source = server_source()
    checked = 0
    for header, rows in tables(guide_text()):
        if header and header[0].startswith("message"):
            for row in rows:
                message = first_code(row[0])
                assert message and message in source, f"the code never says {message!r}"
                checked += 1
    assert checked >= 10


def test_hostile_program_count() -> None:
    match = re.search(r"(\d+) hostile programs", guide_text())
    assert match, "the guide says how many hostile programs there are"
    programs = [
        p
        for p in (ROOT / "tests" / "hostile" / "programs").glob("*/*")
        if p.suffix in (".py", ".js") and p.stem != "victim"
    ]
    assert int(match.group(1)) == len(programs)


# ---------------------------------------------------------------------- paths and links


def slug(heading: str) -> str:
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: Path) -> set[str]:
    prose, _ = split_fences(markdown.read_text(encoding="utf-8"))
    return {slug(m) for m in re.findall(r"^#+ (.+)$", prose, re.MULTILINE)}


def test_repository_paths_exist() -> None:
    prefixes = ("server/", "tests/", "images/", "docs/", "bench/", "content/", ".ci/", "vscode-")
    for span in inline_spans(guide_text()):
        if span.startswith(prefixes) and " " not in span:
            assert (ROOT / span).exists(), f"`{span}` does not exist"


def test_links_resolve() -> None:
    text = guide_text()
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links
    for target in links:
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        file = (GUIDE.parent / path).resolve() if path else GUIDE
        assert file.exists(), f"broken link {target}"
        if anchor:
            assert anchor in anchors(file), f"no heading #{anchor} in {file.name}"


def test_sandbox_doc_links_to_the_guide() -> None:
    assert "(operators.md)" in (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
