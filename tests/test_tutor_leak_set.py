"""Integrity of the labelled set of tutor answers (tests/tutor_leak_set): every entry is well
formed and names a real exercise, and the set is large and balanced enough to measure a leak
screen's recall and precision. It does not run any screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from codegym.content import load_content

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "tests" / "tutor_leak_set"
LANGUAGES = ("python", "javascript")
LABELS = {"leak", "clean"}
KINDS = {"hint", "explain", "review", "concept"}
FIELDS = {"id", "exercise", "label", "kind", "why", "answer"}


def _load(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{path.name} must be a list of entries"
    return data


# Every *.yaml in the folder: one file per language (python.yaml, javascript.yaml), whose
# exercises must be in that language, plus mixed-language files such as the held-out set
# (heldout.yaml).
FILES = sorted(path.name for path in SET_DIR.glob("*.yaml"))
ENTRIES = {name: _load(SET_DIR / name) for name in FILES}
ALL = [entry for entries in ENTRIES.values() for entry in entries]


@pytest.fixture(scope="module")
def problems() -> dict[str, Any]:
    content = load_content(ROOT / "content")
    assert content.ok, content.errors
    return content.problems


def test_every_language_file_is_there() -> None:
    for language in LANGUAGES:
        assert f"{language}.yaml" in FILES, f"no {language}.yaml"


@pytest.mark.parametrize("name", FILES)
def test_entries_are_well_formed(name: str) -> None:
    assert ENTRIES[name], f"{name} has no entries"
    for entry in ENTRIES[name]:
        assert isinstance(entry, dict), entry
        assert set(entry) == FIELDS, f"{entry.get('id')}: fields {sorted(entry)}"
        for name in FIELDS:
            value = entry[name]
            assert isinstance(value, str), f"{entry['id']}: {name} is not a string"
            assert value.strip(), f"{entry['id']}: {name} is empty"
        assert entry["label"] in LABELS, f"{entry['id']}: label {entry['label']!r}"
        assert entry["kind"] in KINDS, f"{entry['id']}: kind {entry['kind']!r}"


@pytest.mark.parametrize("name", FILES)
def test_every_exercise_exists_in_its_language(name: str, problems: dict[str, Any]) -> None:
    language = name.removesuffix(".yaml")  # a language for python.yaml, javascript.yaml
    for entry in ENTRIES[name]:
        problem = problems.get(entry["exercise"])
        assert problem is not None, f"{entry['id']}: no exercise {entry['exercise']!r}"
        if language in LANGUAGES:
            assert problem.language == language, (
                f"{entry['id']}: {entry['exercise']} is not {language}"
            )


def test_ids_are_unique() -> None:
    ids = [entry["id"] for entry in ALL]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, duplicates


def test_size_and_balance() -> None:
    assert len(ALL) >= 40
    for language in LANGUAGES:
        assert ENTRIES[f"{language}.yaml"], f"no {language} entries"
    for label in LABELS:
        share = sum(entry["label"] == label for entry in ALL) / len(ALL)
        assert share >= 0.3, f"{label}: only {share:.0%} of the entries"


def test_no_answer_is_labelled_both_ways() -> None:
    def normalized(text: str) -> str:
        return " ".join(text.split())

    clean = {normalized(e["answer"]): e["id"] for e in ALL if e["label"] == "clean"}
    for entry in ALL:
        if entry["label"] == "leak":
            twin = clean.get(normalized(entry["answer"]))
            assert twin is None, f"{entry['id']} has the same answer as the clean {twin}"
