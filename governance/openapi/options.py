"""Diff options (mirroring oasdiff's) and the ignore / severity files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import SpecError
from .model import NONE
from .rules import LEVELS, all_rules

STABILITY_ORDER = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


@dataclass(frozen=True)
class IgnoreRule:
    """One line of an oasdiff ignore file: ``METHOD /path <text fragment>`` (lower-cased)."""

    line: str
    path: str  # the first whitespace-separated field starting with "/"

    def matches(self, operation: str, path: str, text: str) -> bool:
        # oasdiff ApiChange.MatchIgnore: exact path field, "method path" and the whole text present
        return self.path == path.lower() and f"{operation} {path}".lower() in self.line and text.lower() in self.line


@dataclass
class Options:
    min_level: str = "INFO"
    severity_overrides: dict[str, str] = field(default_factory=dict)
    stability_level: str = "beta"
    deprecation_days_beta: int = 0
    deprecation_days_stable: int = 0
    match_inline_refs: bool = True
    ignore: list[IgnoreRule] = field(default_factory=list)
    checks: str | list[str] = "all"  # "all" or oasdiff check names (rules.json "check")
    max_bytes: int = 25 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.min_level not in LEVELS:
            raise SpecError(f"invalid min level {self.min_level!r}: use INFO, WARN or ERR")
        if self.stability_level not in STABILITY_ORDER:
            raise SpecError(f"invalid stability level {self.stability_level!r}")
        for rule_id, level in self.severity_overrides.items():
            if level not in LEVELS and level != NONE:
                raise SpecError(f"invalid level {level!r} for rule {rule_id!r}")
        # derived once, not fields: rule id -> effective level, and the selected check names (None: all)
        self._levels: dict[str, str] = {rid: r.level for rid, r in all_rules().items()}
        self._levels.update(self.severity_overrides)
        self.selected_checks: frozenset[str] | None = None if self.checks == "all" else frozenset(self.checks)

    def level_of(self, rule_id: str) -> str:
        """Effective level of a rule after overrides ("NONE" means dropped)."""
        return self._levels.get(rule_id, "INFO")

    def stability_included(self, stability: str) -> bool:
        return STABILITY_ORDER[stability or "stable"] >= STABILITY_ORDER[self.stability_level]

    def deprecation_days(self, stability: str) -> int:
        # oasdiff getDeprecationDays: draft/alpha have no policy; no label counts as stable
        if stability in ("draft", "alpha"):
            return 0
        if stability == "beta":
            return self.deprecation_days_beta
        return self.deprecation_days_stable


def parse_ignore_lines(lines: Iterable[str]) -> list[IgnoreRule]:
    rules: list[IgnoreRule] = []
    for raw in lines:
        line = raw.strip().lower()
        path = next((word for word in line.split() if word.startswith("/")), "")
        if path:
            rules.append(IgnoreRule(line, path))
    return rules


def read_ignore_file(filename: str) -> list[IgnoreRule]:
    return parse_ignore_lines(_read_lines(filename, "ignore"))


def read_severity_file(filename: str) -> dict[str, str]:
    """Lines of ``<rule-id> <ERR|WARN|INFO|NONE>``; blank lines and ``#`` comments skipped."""
    known = all_rules()
    overrides: dict[str, str] = {}
    for number, raw in enumerate(_read_lines(filename, "severity"), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise SpecError(f"{filename}:{number}: expected '<rule-id> <level>'")
        rule_id, level = parts[0], parts[1].upper()
        if rule_id not in known:
            raise SpecError(f"{filename}:{number}: unknown rule id {rule_id!r}")
        if level not in LEVELS and level != NONE:
            raise SpecError(f"{filename}:{number}: invalid level {parts[1]!r}")
        overrides[rule_id] = level
    return overrides


def _read_lines(filename: str, what: str) -> list[str]:
    try:
        with open(filename, encoding="utf-8") as handle:
            return handle.read(1024 * 1024).splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read {what} file {filename}: {exc}") from None
