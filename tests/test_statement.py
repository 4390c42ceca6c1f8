"""The statement record's Markdown (`codegym.statement`): the facts line goes under the title."""

from __future__ import annotations

from codegym.statement import with_facts


def test_the_facts_go_under_the_statements_own_title() -> None:
    statement = "# Sum\n\nAdd them up.\n\n## Examples\n\n`f([1]) == 1`\n"
    assert with_facts(statement, "Sum", "**easy**") == (
        "# Sum\n\n**easy**\n\nAdd them up.\n\n## Examples\n\n`f([1]) == 1`\n"
    )


def test_a_statement_without_a_title_gets_one() -> None:
    statement = "## Examples\n\n`f([1]) == 1`"
    assert with_facts(statement, "Sum", "**easy**") == (
        "# Sum\n\n**easy**\n\n## Examples\n\n`f([1]) == 1`\n"
    )
