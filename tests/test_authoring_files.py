"""The files `codegym draft` writes: a problem file as authors write it (it loads back to the same
problem), and a catalog entry added to `config.yaml` without disturbing the rest of it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codegym.authoring.catalog_entry import CatalogEditError, with_problem
from codegym.authoring.problem_yaml import problem_yaml
from codegym.content import load_content
from codegym.content.models import ProblemBody

BUNDLED = load_content(Path(__file__).resolve().parents[1] / "content")
ENTRY = {"id": "new-one", "title": "New", "difficulty": "easy", "order": 9, "file": "n.yaml"}


@pytest.mark.parametrize("problem_id", sorted(BUNDLED.problems))
def test_every_bundled_problem_round_trips(problem_id: str) -> None:
    body = BUNDLED.get(problem_id).body
    text = problem_yaml(body)
    assert ProblemBody.model_validate(yaml.safe_load(text)) == body


def test_the_layout_is_the_author_guides() -> None:
    text = problem_yaml(BUNDLED.get("py-running-total").body)
    assert text.startswith("statement: |\n  # Running total\n")
    assert '    stdin: "3\\n1\\n2\\n3\\n"\n    expected_stdout: "1\\n3\\n6\\n"\n' in text
    assert "\nsolution: |\n  count = int(input())\n" in text
    lamps = problem_yaml(BUNDLED.get("py-lamp-boosts").body)
    assert "  - kind: call\n    name: one command\n    args: [4, [[1, 2, 5]]]\n" in lamps
    assert "    expected: [0, 5, 5, 0]\n" in lamps
    assert "id: t" not in lamps  # default ids are left out


LISTED = """\
# comment at the top
courses:
  - id: python   # the course
    title: Python
    language: python
    topics:
      - id: lists
        title: Lists
        problems:
          - id: first
            title: First
            difficulty: easy
            order: 1
            file: first.yaml
      # a comment after the topic
      - id: other
        title: Other
"""


def test_appended_to_a_topics_list_keeping_comments() -> None:
    edited = with_problem(LISTED, "python", "lists", ENTRY)
    assert edited.startswith(LISTED.split("      # a comment")[0])
    assert "# comment at the top" in edited and "# the course" in edited
    assert "          - id: new-one\n            title: New\n" in edited
    topics = yaml.safe_load(edited)["courses"][0]["topics"]
    assert [p["id"] for p in topics[0]["problems"]] == ["first", "new-one"]
    assert "problems" not in topics[1]


@pytest.mark.parametrize("problems", ["", "        problems: []\n", "        problems: [{}]\n"])
def test_a_topic_without_a_block_list_gets_one(problems: str) -> None:
    text = LISTED.replace(LISTED[LISTED.index("        problems:") : LISTED.index("      #")], "")
    text = text.replace("        title: Lists\n", "        title: Lists\n" + problems)
    if problems.endswith("[{}]\n"):
        text = text.replace("[{}]", "[{id: a, title: A, difficulty: easy, order: 1, file: a}]")
    edited = with_problem(text, "python", "lists", ENTRY)
    got = [p["id"] for p in yaml.safe_load(edited)["courses"][0]["topics"][0]["problems"]]
    assert got == (["a", "new-one"] if "[{" in problems else ["new-one"])
    assert "# a comment after the topic" in edited


def test_an_unknown_topic_is_an_error() -> None:
    with pytest.raises(CatalogEditError, match="'nope'"):
        with_problem(LISTED, "python", "nope", ENTRY)
