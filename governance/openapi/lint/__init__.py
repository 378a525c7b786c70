"""Lint OpenAPI documents with Spectral-format rulesets (``spectral:oas`` built in), pure Python.

    from governance.openapi.lint import lint_file, load_ruleset, default_ruleset
    results = lint_file("openapi.yaml")                      # spectral:oas recommended
    results = lint_file("openapi.yaml", load_ruleset(".spectral.yaml"))
    [r.as_spectral() for r in results]   # Spectral's JSON: code, path, message, severity, range, source

Layout: jsonpath.py (Spectral's JSONPath dialect), ruleset.py (the ruleset format), functions/
(core and spectral:oas functions), oas.py (the spectral:oas rules), runner.py (one walk serves
every ``given``), document.py + positions.py (data, $refs, lazy source ranges), output.py, score.py.
"""

from __future__ import annotations

from .document import Document
from .errors import RulesetError
from .ruleset import Ruleset, build_ruleset, load_ruleset, ruleset_beside
from .runner import LintResult, lint
from .score import score


def default_ruleset() -> Ruleset:
    """``spectral:oas`` with its recommended rules, as ``extends: spectral:oas`` gives."""
    return build_ruleset({"extends": ["spectral:oas"]})


def lint_file(path: str, ruleset: Ruleset | None = None) -> list[LintResult]:
    return lint(Document.from_file(path), ruleset or default_ruleset())


__all__ = [
    "Document",
    "LintResult",
    "Ruleset",
    "RulesetError",
    "build_ruleset",
    "default_ruleset",
    "lint",
    "lint_file",
    "load_ruleset",
    "ruleset_beside",
    "score",
]
