"""Findings, levels and the report returned by ``diff_specs``."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Optional

# Numeric order matters: filtering keeps findings whose level >= the minimum.
LEVELS = {"INFO": 1, "WARN": 2, "ERR": 3}
NONE = "NONE"  # severity override that drops a rule


def level_value(level: str) -> int:
    return LEVELS[level]


@dataclass(frozen=True)
class Finding:
    id: str
    level: str
    operation: str  # HTTP method upper-case, "" for document-level findings
    path: str
    text: str
    base_pointer: Optional[str] = None
    revision_pointer: Optional[str] = None

    def as_dict(self) -> dict:
        return asdict(self)

    def sort_key(self):
        return (-LEVELS[self.level], self.path, self.operation, self.id, self.text)


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
