"""Findings, levels and the report returned by ``diff_specs``."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter

from .rules import format_message

# Numeric order matters: filtering keeps findings whose level >= the minimum.
LEVELS = {"INFO": 1, "WARN": 2, "ERR": 3}
NONE = "NONE"  # severity override that drops a rule


def level_value(level: str) -> int:
    return LEVELS[level]


class Finding:
    """One reported change. Read-only; the message ``text`` is formatted on first use.

    ``Finding(id, level, operation, path, text, base_pointer, revision_pointer)``: pass the
    text, or ``args=`` / ``details=`` and let the rule's template format it on demand (the
    engine does the latter: creating ~70k findings for a big diff stays cheap, and a finding
    filtered out by level is never formatted).
    """

    __slots__ = ("_id", "_level", "_operation", "_path", "_text", "_base_pointer", "_revision_pointer",
                 "_args", "_details")
    FIELDS = ("id", "level", "operation", "path", "text", "base_pointer", "revision_pointer")

    def __init__(self, id: str, level: str, operation: str, path: str, text: str | None = None,
                 base_pointer: str | None = None, revision_pointer: str | None = None,
                 *, args: tuple = (), details: str = ""):
        self._id = id
        self._level = level
        self._operation = operation  # HTTP method upper-case, "" for document-level findings
        self._path = path
        self._text = text
        self._base_pointer = base_pointer
        self._revision_pointer = revision_pointer
        self._args = args
        self._details = details

    id = property(attrgetter("_id"))
    level = property(attrgetter("_level"))
    operation = property(attrgetter("_operation"))
    path = property(attrgetter("_path"))
    base_pointer = property(attrgetter("_base_pointer"))
    revision_pointer = property(attrgetter("_revision_pointer"))

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = format_message(self._id, self._args, self._details)
        return text

    def _values(self) -> tuple:
        return (self._id, self._level, self._operation, self._path, self.text, self._base_pointer,
                self._revision_pointer)

    def __eq__(self, other):
        if other.__class__ is not Finding:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        return hash(self._values())

    def __repr__(self):
        return "Finding(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.FIELDS, self._values(), strict=True)) + ")"

    def __reduce__(self):
        return (Finding, self._values())

    def as_dict(self) -> dict:
        return dict(zip(self.FIELDS, self._values(), strict=True))

    def sort_key(self):
        return (-LEVELS[self._level], self._path, self._operation, self._id, self.text)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        by_level = Counter(f.level for f in self.findings)
        return {
            "total": len(self.findings),
            "ERR": by_level.get("ERR", 0),
            "WARN": by_level.get("WARN", 0),
            "INFO": by_level.get("INFO", 0),
            "breaking": by_level.get("ERR", 0) + by_level.get("WARN", 0),
        }

    def at_or_above(self, level: str) -> list[Finding]:
        floor = LEVELS[level]
        return [f for f in self.findings if LEVELS[f.level] >= floor]

    def ids(self) -> list[str]:
        return [f.id for f in self.findings]
