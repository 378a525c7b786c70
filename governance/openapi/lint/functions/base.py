"""The contract between the runner and a ruleset function (core, spectral:oas or custom)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..document import Document, Path

FunctionResult = dict[str, Any]
Run = Callable[[Any, Any, "Context"], "list[FunctionResult] | None"]


@dataclass
class Context:
    document: Document
    path: Path  # the target's path
    given_path: Path  # the path the rule's ``given`` matched
    rule_name: str
    resolved: bool

    def document_refs(self) -> frozenset[Path]:
        """Paths of every local ``$ref`` target in the document (Spectral's ref graph nodes)."""
        return self.document.ref_targets


@dataclass(frozen=True)
class RulesetFunction:
    name: str
    run: Run
    accepts: Callable[[Any], bool] | None = None  # createRulesetFunction's ``input`` schema
    check_options: Callable[[Any], str | None] | None = None  # its ``options`` schema
