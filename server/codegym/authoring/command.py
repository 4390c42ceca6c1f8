"""`codegym draft IDEA --language … --topic …`: the command around `draft.draft`. Exit codes: 0
a draft was written, 1 every attempt failed (nothing written), 2 offline or a usage error."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is built for every command: the loop is imported when it runs
    from ..config import Settings
    from .draft import DraftReport
    from .placement import Place

EXIT_OK, EXIT_FAIL, EXIT_OFFLINE = 0, 1, 2


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("idea", metavar="IDEA", help="the exercise in a paragraph")
    command.add_argument("--language", required=True, choices=["python", "javascript"])
    command.add_argument("--topic", required=True, help="the topic's id, e.g. py-lists")
    command.add_argument("--id", dest="problem_id", help="the problem's id (default: the model's)")
    command.add_argument(
        "--out", type=Path, metavar="PATH", help="problem file (default: LANGUAGE/TOPIC/ID.yaml)"
    )
    command.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Raises `DraftError` for what the author must fix first (printed as one line, exit 2)."""
    from ..content import load_content, resolve_content_dir
    from .draft import DraftReport
    from .placement import Place, output_path

    if not settings.tutor.enabled:
        return _offline("the tutor's model is turned off (CODEGYM_TUTOR=off)", DraftReport(), args)
    content = load_content(resolve_content_dir(settings.content_dir))
    place = Place.find(content, args.language, args.topic)
    out = output_path(content.root, args.out) if args.out else None
    return asyncio.run(_run(args, settings, place, out))


async def _run(args: argparse.Namespace, settings: Settings, place: Place, out: Path | None) -> int:
    from ..sandbox import open_sandbox
    from ..tutor.llm import OllamaModel
    from .draft import Offline, draft
    from .proposal import DraftProposal

    model = OllamaModel(settings.tutor)

    async def ask(messages: list[dict[str, str]]) -> str:
        text, _ = await model.json_text(messages, DraftProposal)
        return text

    sandbox = open_sandbox(settings.sandbox)
    try:
        report = await draft(
            args.idea,
            place,
            ask,
            sandbox,
            settings.sandbox.limits,
            problem_id=args.problem_id,
            out=out,
        )
    except Offline as exc:
        return _offline(str(exc), exc.report, args)
    finally:
        sandbox.close()
        await model.close()
    _print(report, args)
    return EXIT_OK if report.ok else EXIT_FAIL


def _offline(reason: str, report: DraftReport, args: argparse.Namespace) -> int:
    _print(report, args, offline=reason)
    return EXIT_OFFLINE


def _print(report: DraftReport, args: argparse.Namespace, offline: str | None = None) -> None:
    if args.json:
        print(json.dumps(report.document() | {"offline": offline}, ensure_ascii=False))
    else:
        for attempt in report.attempts:
            print(attempt.line())
    if offline is not None:
        print(f"codegym: the model is offline: {offline}; nothing was drafted", file=sys.stderr)
    elif report.ok and not args.json:  # with --json, stdout is the one document
        print(f"wrote {report.path} (run `codegym validate` to check the whole content)")
    else:
        print(
            f"codegym: no usable draft in {len(report.attempts)} attempts; nothing was written",
            file=sys.stderr,
        )
