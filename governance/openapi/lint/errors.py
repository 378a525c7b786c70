"""The one error type of the lint engine's setup (unusable ruleset); documents raise SpecError."""

from __future__ import annotations


class RulesetError(Exception):
    """An unusable ruleset: one line naming the rule or the file (CLI exit 2)."""
