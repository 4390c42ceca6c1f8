"""An exercise's statement as a side view shows it (`codegym/statement`): the statement as the
content holds it, with a line of facts (difficulty, where it sits, its concepts) under its title.
Never the solution, the hints or the tests."""

from __future__ import annotations

from typing import Any

from .content import Problem


def statement_record(problem: Problem) -> dict[str, Any]:
    """`{id, title, language, difficulty, concepts, markdown}` for one exercise."""
    meta = problem.meta
    glossary = {concept.id: concept.title for concept in problem.topic.concepts}
    concepts = [glossary.get(concept, concept) for concept in meta.concepts]
    facts = [f"**{meta.difficulty}**", f"{problem.course.title} › {problem.topic.title}"]
    if concepts:
        facts.append("concepts: " + ", ".join(concepts))
    return {
        "id": problem.id,
        "title": meta.title,
        "language": problem.language,
        "difficulty": meta.difficulty,
        "concepts": list(meta.concepts),
        "markdown": with_facts(problem.body.statement, meta.title, " · ".join(facts)),
    }


def with_facts(statement: str, title: str, facts: str) -> str:
    """The statement with `facts` as a paragraph under its `# title` (which statements start
    with; one is added above a statement that has none)."""
    text = statement.strip()
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        return f"{first}\n\n{facts}\n\n{rest.lstrip()}\n"
    return f"# {title}\n\n{facts}\n\n{text}\n"
