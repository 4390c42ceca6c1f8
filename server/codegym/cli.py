"""The `codegym` command. Exit codes: 0 success, 1 tests fail (check) or findings (validate),
2 usage, content or engine error (one clear line on stderr, no traceback)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import __version__
from .catalog import next_exercise
from .checker import check_source
from .config import Settings
from .content import Content, ContentError, Problem, load_content, resolve_content_dir
from .content.templates import Params
from .content.variants import for_seed, generator_seed, has_generator
from .crash_report import report_unexpected
from .grading import CATEGORY_WORDS, Failure, Verdict, message, verdict_document
from .grading.wording import scores
from .learning.stats import stats_document, stats_lines
from .levels import five_levels, levels_line, quality_level
from .logging_setup import configure_logging
from .next_step import next_step_line
from .progress import ProgressStore, record_attempt
from .sandbox import Sandbox, SandboxError, open_sandbox
from .text import counted
from .variants import (
    GeneratorError,
    VariantError,
    generate_params,
    judged_problem,
    prepare_generated,
)
from .workspace import (
    course_problems,
    default_path,
    exercise_id_of,
    find_exercises,
    find_workspace,
    init_workspace,
    learner_problem,
    mark_workspace,
    render_exercise,
)

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


# ------------------------------------------------------------------------------ helpers


def _settings(args: argparse.Namespace) -> Settings:
    try:
        settings = Settings.from_env(content_dir=_content_option(args))
    except ValidationError as exc:  # a CODEGYM_* environment variable with a wrong value
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CliError(f"invalid setting {where}: {first['msg']}") from None
    backend = getattr(args, "backend", None)
    if backend:
        settings = settings.model_copy(
            update={"sandbox": settings.sandbox.model_copy(update={"backend": backend})}
        )
    return settings


def _content_option(args: argparse.Namespace) -> Path | None:
    """`--content DIR`, or validate's positional CONTENT_DIR (the same, kept for old scripts)."""
    option: Path | None = getattr(args, "content", None)
    positional: Path | None = getattr(args, "content_dir", None)
    if option and positional and option != positional:
        raise CliError(f"two content folders given ({positional} and --content {option})")
    return option or positional


def _content(settings: Settings) -> Content:
    """The content folder, loaded, with every error in it reported on stderr."""
    content = load_content(resolve_content_dir(settings.content_dir))
    for error in content.errors:
        print(f"{_where(content, error)}: {error.message}", file=sys.stderr)
    if content.catalog is None:
        raise CliError(f"the catalog of {content.root} did not load (the errors are above)")
    return content


def _where(content: Content, error: ContentError) -> str:
    """`file:line` of a content error, the file as a path to open (under the content folder)."""
    path = content.root / error.file
    return f"{path}:{error.line}" if error.line else str(path)


def _one_shot_sandbox(settings: Settings) -> Sandbox:
    """A sandbox for one or two runs: a warm pool would only start containers nobody uses."""
    docker = settings.sandbox.docker.model_copy(update={"pool_size": 0})
    return open_sandbox(settings.sandbox.model_copy(update={"docker": docker}))


def _problem(content: Content, exercise: str) -> Problem:
    """The exercise, or a CliError saying that it is unknown or why it failed to load."""
    if exercise in content.problems:
        return content.problems[exercise]
    failed = content.failed.get(exercise)
    if failed is None:
        raise CliError(f"no exercise {exercise!r} in {content.root}")
    where = ", ".join(_where(content, error) for error in failed.errors)
    raise CliError(f"exercise {exercise!r} failed to load: see {where} above")


def verdict_lines(
    verdict: Verdict, problem: Problem, file: Path, levels: dict[str, Any] | None = None
) -> list[str]:
    """A header with the scores (and the five `levels` when given), then one line per test,
    grouped as the scores are: the public tests in full, the hidden ones by label and kind of
    failure only. Code that does not parse is one line under the header: no test ran."""
    mark = "✓" if verdict.status == "pass" else "✗"
    ran = (
        f"[{verdict.backend}, {verdict.duration_ms:.0f} ms]"
        if verdict.syntax is None
        else "[not run]"
    )
    lines = [f"{mark} {problem.id} · {problem.meta.title}: {scores(verdict)}  {ran}"]
    if verdict.syntax is not None:
        syntax = verdict.syntax
        where = f"{file}:{syntax.line}: " if syntax.line else ""
        return [*lines, f"  ✗ {where}{syntax.error_type}: {syntax.message} (no test ran)"]
    if levels is not None:
        lines.append(levels_line(levels))
    for test in verdict.tests:
        failure = test.failure
        if test.visibility == "hidden":
            outcome = f" ({CATEGORY_WORDS[failure.kind]})" if failure else ""
            lines.append(f"  {'✓' if failure is None else '✗'} hidden: {test.label}{outcome}")
        elif not isinstance(failure, Failure):
            lines.append(f"  ✓ {test.name}")
        else:
            where = f"{file}:{failure.line}: " if failure.line else ""
            lines.append(f"  ✗ {where}{message(test)}")
            if failure.stdout:
                printed = failure.stdout.rstrip().splitlines()[:5]
                lines += [f"      │ {line}" for line in printed]
    if verdict.status == "pass":
        lines.append("All tests pass. Well done!")
    if verdict.isolation in NOT_ISOLATED:
        lines.append(NOT_ISOLATED[verdict.isolation])
    return lines


NOT_ISOLATED = {
    "none": (
        "! Not isolated: the local sandbox ran this code as your own user, with your files and "
        "network, and anything it wrote outside its scratch directory is still there. Install "
        "bubblewrap (apt install bubblewrap) or Docker to isolate runs."
    ),
    "own_uid": (
        "! Partly isolated: the local sandbox ran this code as a uid of its own (its files were "
        "removed after the run) but it could read the machine's world-readable files and use "
        "its network. Install bubblewrap (apt install bubblewrap) or Docker to isolate runs."
    ),
}
"""What `codegym check` says after a run that the sandbox did not fully isolate."""


# ------------------------------------------------------------------------------ commands


def _learner_variant(
    problem: Problem, root: Path | None, sandbox: Sandbox, settings: Settings
) -> Problem:
    """The learner's problem (`learner_problem`), its generator run first if it has one and
    has not run for this workspace."""
    errors = prepare_generated([problem], root, sandbox, settings.sandbox.limits)
    if errors:
        raise errors[0]
    return learner_problem(problem, root)


def _prepare_generated(problems: list[Problem], root: Path, settings: Settings) -> list[str]:
    """Run the generators of the generated variants among `problems` for the workspace at
    `root` (once: what they return is kept); the errors of those that failed."""
    generated = [p for p in problems if has_generator(p)]
    if not generated:
        return []
    sandbox = _one_shot_sandbox(settings)
    try:
        return [
            str(e) for e in prepare_generated(generated, root, sandbox, settings.sandbox.limits)
        ]
    except SandboxError as exc:
        return [f"the sandbox failed to run the variant generators: {exc}"]
    finally:
        sandbox.close()


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    content = _content(settings)
    root = Path(args.directory)
    try:
        problems = course_problems(content, args.course)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    mark_workspace(root)  # the seed the generators are given
    generator_errors = _prepare_generated(problems, root, settings)
    result = init_workspace(root, content, course=args.course)
    for path in result.created:
        print(f"created {path}")
    print(
        f"{counted(len(result.created), 'exercise file')} created, "
        f"{len(result.existing)} already present in {args.directory}"
    )
    skipped = [f.id for f in content.failed.values() if args.course in (None, f.course)]
    if skipped:
        print(
            f"codegym: {counted(len(skipped), 'exercise')} not written, their content failed "
            f"to load: {', '.join(skipped)}",
            file=sys.stderr,
        )
        return EXIT_FAIL
    if result.not_made:
        for error in generator_errors:
            print(f"codegym: {error}", file=sys.stderr)
        print(
            f"codegym: {counted(len(result.not_made), 'exercise')} not written, their variant "
            f"generator failed: {', '.join(result.not_made)}",
            file=sys.stderr,
        )
        return EXIT_FAIL
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    file = Path(args.file)
    try:
        source = file.read_text(encoding="utf-8-sig")  # an editor's BOM is no part of the code
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {file}: {exc}") from None
    exercise = exercise_id_of(source)
    if exercise is None:
        raise CliError(f"{file} has no `codegym: exercise <id>` line in its header")
    settings = _settings(args)
    root = find_workspace(file.resolve().parent)
    content = _content(settings)
    sandbox = _one_shot_sandbox(settings)
    try:
        problem = _learner_variant(_problem(content, exercise), root, sandbox, settings)
        problem = judged_problem(problem, sandbox, settings.sandbox.limits, root)
        verdict = check_source(problem, source, sandbox, settings.sandbox.limits)
    except (SandboxError, VariantError, GeneratorError) as exc:
        if args.json:
            print(json.dumps({"exercise": exercise, "status": "error", "error": str(exc)}))
        raise CliError(str(exc)) from None
    finally:
        sandbox.close()
    record_attempt(file, problem, verdict)
    levels = five_levels(verdict, quality_level(source, problem, verdict))
    if args.json:
        print(json.dumps(verdict_document(verdict, levels), ensure_ascii=False))
    else:
        print("\n".join(verdict_lines(verdict, problem, file, levels)))
        if verdict.status == "pass" and (step := next_step_line(content, problem, file)):
            print(step)
    return EXIT_OK if verdict.status == "pass" else EXIT_FAIL


def cmd_stats(args: argparse.Namespace) -> int:
    content = _content(_settings(args))
    progress = ProgressStore(_workspace(args.directory)).snapshot()
    document = stats_document(content, progress)
    if args.json:
        print(json.dumps(document, ensure_ascii=False))
    else:
        print("\n".join(stats_lines(document)))
    return EXIT_OK


def cmd_next(args: argparse.Namespace) -> int:
    content = _content(_settings(args))
    root = _workspace(args.directory)
    choice = next_exercise(content, root)
    if choice is None:
        print("Every exercise is solved. Impressive!")
        return EXIT_OK
    problem = choice.problem
    path = find_exercises(root).get(problem.id, root / default_path(problem))
    print(f"next: {problem.id} · {problem.meta.title} ({problem.meta.difficulty}) in {path}")
    print(f"  {choice.reason[:1].upper()}{choice.reason[1:]}.")
    return EXIT_OK


def _workspace(directory: str) -> Path:
    """The workspace DIR belongs to (the folder holding `.codegym/`), else DIR itself."""
    folder = Path(directory)
    if not folder.is_dir():
        raise CliError(f"{folder} is not a folder")
    return find_workspace(folder.resolve()) or folder


def cmd_validate(args: argparse.Namespace) -> int:
    from .validation import validate

    settings = _settings(args)
    # Every content error is a finding, printed on stdout with the others.
    content = load_content(resolve_content_dir(settings.content_dir))
    sandbox = open_sandbox(settings.sandbox)
    try:
        report = validate(
            content, sandbox, settings.sandbox.limits, args.jobs or settings.parallelism
        )
    finally:
        sandbox.close()
    for finding in report.findings:
        print(finding)
    variants = f" ({counted(report.variants, 'variant')} tried)" if report.variants else ""
    summary = (
        f"{report.problems} problems{variants}, {report.tests} tests on {report.backend} "
        f"in {report.duration_s:.1f} s"
    )
    if report.ok:
        print(f"✓ {summary}: every solution passes, every starter fails, no hint leaks.")
        return EXIT_OK
    print(f"✗ {counted(len(report.findings), 'finding')}; {summary}", file=sys.stderr)
    return EXIT_FAIL


def cmd_preview(args: argparse.Namespace) -> int:
    settings = _settings(args)
    problem = _problem(_content(settings), args.id)
    seed = args.seed or 0
    generated = None
    if has_generator(problem) and not args.solution:
        generated = _run_generator(problem, seed, settings)
    problem = for_seed(problem, seed, generated)
    sys.stdout.write(problem.body.solution if args.solution else render_exercise(problem))
    if args.seed is not None and not args.solution:
        from .preview import tests_text

        if problem.variant is not None:  # its expected values come from the reference
            sandbox = _one_shot_sandbox(settings)
            try:
                problem = judged_problem(problem, sandbox, settings.sandbox.limits)
            except VariantError as exc:
                raise CliError(str(exc)) from None
            finally:
                sandbox.close()
        sys.stdout.write("\n" + tests_text(problem))
    return EXIT_OK


def _run_generator(problem: Problem, seed: int, settings: Settings) -> Params:
    """What the problem's generator returns for the workspace seed `seed`."""
    sandbox = _one_shot_sandbox(settings)
    try:
        number = generator_seed(seed, problem.id)
        return generate_params(problem, number, sandbox, settings.sandbox.limits)
    except (GeneratorError, SandboxError) as exc:
        raise CliError(str(exc)) from None
    finally:
        sandbox.close()


def cmd_schema(args: argparse.Namespace) -> int:
    from .content.reference import DOCUMENTS, document_schema, render_reference, replace_block

    if not (args.markdown or args.write):
        print(json.dumps(document_schema(args.document or "problem"), indent=2))
        return EXIT_OK
    block = render_reference([args.document] if args.document else list(DOCUMENTS))
    path: Path | None = args.write
    if path is None:
        sys.stdout.write(block)
        return EXIT_OK
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    try:
        updated = replace_block(text, block)
    except ValueError as exc:
        raise CliError(f"{path}: {exc}") from None
    if updated == text:
        print(f"{path}: the reference is up to date")
        return EXIT_OK
    try:
        path.write_text(updated, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc}") from None
    print(f"{path}: reference updated")
    return EXIT_OK


def cmd_draft(args: argparse.Namespace) -> int:
    from .authoring.command import run
    from .authoring.placement import DraftError

    try:
        return run(args, _settings(args))
    except DraftError as exc:
        raise CliError(str(exc)) from None


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch.app import watch
    from .workspace import locate_workspace

    root = locate_workspace(Path(args.directory))
    if root is None:
        raise CliError(f"no workspace in {args.directory}: run `codegym init {args.directory}`")
    settings = _settings(args)
    return watch(root, _content(settings), settings)


def cmd_serve(args: argparse.Namespace) -> int:
    from .lsp.app import server
    from .lsp.framing import FramedStdin

    if args.tcp is not None:
        server.start_tcp(args.host, args.tcp)
    else:
        server.start_io(stdin=FramedStdin(sys.stdin.buffer))  # type: ignore[arg-type]
    return EXIT_OK


def cmd_images_build(args: argparse.Namespace) -> int:
    from .sandbox.docker_backend import DockerSandbox
    from .sandbox.images import LANGUAGES, build_image, image_spec

    settings = _settings(args)
    bases = {"python": args.base_python, "javascript": args.base_node}
    sandbox = DockerSandbox(settings.sandbox.docker.model_copy(update={"pool_size": 0}))
    try:
        for language in LANGUAGES:
            spec = image_spec(language, settings.sandbox.docker)
            for line in build_image(sandbox.client, spec, bases[language]):
                if args.verbose:
                    print(line, file=sys.stderr)
            print(f"built {spec.reference}")
    finally:
        sandbox.close()
    return EXIT_OK


# ------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codegym", description="Practice programming in your own editor."
    )
    parser.add_argument("--version", action="version", version=f"codegym {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--log-file", type=Path, help="write logs (JSON lines) to this file")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, handler: object) -> argparse.ArgumentParser:
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    def content_option(command: argparse.ArgumentParser) -> None:
        command.add_argument("--content", type=Path, help="content folder (default: bundled)")

    def backend_option(command: argparse.ArgumentParser) -> None:
        command.add_argument("--backend", choices=["auto", "docker", "local"], help="sandbox")

    init = add("init", "write one file per exercise into DIR (never overwrites)", cmd_init)
    init.add_argument("directory", metavar="DIR")
    init.add_argument("--course", help="only this course (e.g. python, javascript)")
    content_option(init)

    check = add("check", "run an exercise file's tests", cmd_check)
    check.add_argument("file", metavar="FILE")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    backend_option(check)
    content_option(check)

    stats = add("stats", "your progress per course and topic, and your recurring errors", cmd_stats)
    stats.add_argument("directory", nargs="?", default=".", metavar="DIR", help="workspace")
    stats.add_argument("--json", action="store_true", help="print one JSON document")
    content_option(stats)

    following = add("next", "the exercise to do next, chosen from your record, and why", cmd_next)
    following.add_argument("directory", nargs="?", default=".", metavar="DIR", help="workspace")
    content_option(following)

    validate = add("validate", "check content: schema, solutions pass, starters fail", cmd_validate)
    validate.add_argument(
        "content_dir", nargs="?", type=Path, metavar="CONTENT_DIR", help="the same as --content"
    )
    validate.add_argument("--jobs", type=int, help="problems checked in parallel")
    backend_option(validate)
    content_option(validate)

    preview = add("preview", "print an exercise as a learner sees it", cmd_preview)
    preview.add_argument("id", metavar="ID")
    preview.add_argument("--solution", action="store_true", help="print the reference solution")
    preview.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="the variant a workspace with seed N gets, then every test with its expected value",
    )
    backend_option(preview)
    content_option(preview)

    schema = add(
        "schema", "print the JSON Schema of content YAML (or its Markdown reference)", cmd_schema
    )
    schema.add_argument(
        "document",
        nargs="?",
        choices=["problem", "catalog"],
        help="which document (default: problem; with --markdown or --write: both)",
    )
    schema.add_argument(
        "--markdown", action="store_true", help="print the author reference as Markdown tables"
    )
    schema.add_argument(
        "--write",
        type=Path,
        metavar="FILE",
        help="replace the reference between the <!-- reference:begin/end --> lines of FILE",
    )

    from .authoring.command import add_arguments as draft_arguments

    drafting = add("draft", "draft an exercise with the model, verified by running it", cmd_draft)
    draft_arguments(drafting)
    backend_option(drafting)
    content_option(drafting)

    watch = add("watch", "practice in a terminal: runs each exercise you save", cmd_watch)
    watch.add_argument("directory", nargs="?", default=".", metavar="DIR", help="workspace")
    backend_option(watch)
    content_option(watch)

    serve = add("serve", "run the language server (stdio by default, for editors)", cmd_serve)
    serve.add_argument("--tcp", type=int, metavar="PORT", help="listen on TCP instead of stdio")
    serve.add_argument("--host", default="127.0.0.1", help="address for --tcp (default: loopback)")

    images = sub.add_parser("images", help="sandbox images").add_subparsers(
        dest="images_command", required=True, metavar="ACTION"
    )
    build = images.add_parser("build", help="build the sandbox images (tagged by harness hash)")
    build.set_defaults(handler=cmd_images_build)
    build.add_argument("--base-python", metavar="IMG", help="base image for Python")
    build.add_argument("--base-node", metavar="IMG", help="base image for Node.js")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(
        "INFO" if args.verbose else "WARNING",
        args.log_file,
        plain_on_terminal=args.command != "serve",  # the server's stderr is the editor's log
    )
    try:
        return int(args.handler(args))
    except CliError as exc:
        print(f"codegym: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except SandboxError as exc:
        print(f"codegym: sandbox: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an unforeseen input: one line, the traceback in the log
        print(report_unexpected(exc, args.command, args.log_file), file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
