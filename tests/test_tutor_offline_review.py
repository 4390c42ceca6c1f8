"""The review Code Gym gives without a model: each rule at its line, and silence on clean code."""

from __future__ import annotations

from codegym.tutor.offline_review import offline_review

PYTHON = """\
def countEvens(numbers, seen=[]):
    total = None
    if total == None:
        total = 0
    for i in range(len(numbers)):
        for j in range(len(numbers)):
            pass
        print(numbers[i])
    try:
        return total
    except:
        return 0
"""

JAVASCRIPT = """\
function countEvens(numbers) {
  var total = 0;
  let limit = 10;
  for (const n of numbers) {
    for (const m of numbers) {
      if (n == m) total++;
    }
  }
  console.log(total);
  return total < limit;
}
"""


def findings(source: str, language: str, kind: str = "function") -> set[tuple[int, str]]:
    return {(f.line, f.category) for f in offline_review(source, language, kind).findings}


def test_python_rules_at_their_lines() -> None:
    assert findings(PYTHON, "python") == {
        (1, "style"),  # camelCase name
        (1, "correctness"),  # mutable default
        (3, "style"),  # == None
        (5, "style"),  # range(len(...))
        (6, "style"),  # range(len(...)) again
        (6, "efficiency"),  # a loop in a loop
        (8, "structure"),  # print in a function exercise
        (11, "correctness"),  # bare except
    }


def test_javascript_rules_at_their_lines() -> None:
    assert findings(JAVASCRIPT, "javascript") == {
        (2, "style"),  # var
        (3, "style"),  # let never reassigned
        (5, "efficiency"),  # a loop in a loop
        (6, "correctness"),  # ==
        (9, "structure"),  # console.log in a function exercise
    }


def test_clean_code_gets_no_finding_and_says_so() -> None:
    clean = "def sum_evens(numbers):\n    return sum(n for n in numbers if n % 2 == 0)\n"
    review = offline_review(clean, "python", "function")
    assert review.findings == [] and "found nothing" in review.summary
    script = "const n = Number(require('fs').readFileSync(0, 'utf8'));\nconsole.log(n * 2);\n"
    assert findings(script, "javascript", "script") == set()  # printing is a script's job
