"""The rule registry: oasdiff's rule ids, default levels and English messages.

Loaded once from the ``rules.json`` shipped in this package (see build_rules.py).
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NotRequired, TypedDict

# The finding levels, lowest first (a group takes the highest of its findings).
LEVELS = {"INFO": 1, "WARN": 2, "ERR": 3}

_RULES_FILE = pathlib.Path(__file__).with_name("rules.json")

# Emitted by the pipeline itself whatever checks are selected (oasdiff's stability policy).
ALWAYS_ON_RULE_IDS = frozenset(
    {
        "api-stability-decreased",
        "api-stability-increased",
        "api-invalid-stability-level",
        "request-property-stability-decreased",
        "request-property-stability-increased",
        "response-property-stability-decreased",
        "response-property-stability-increased",
    }
)


class RuleEntry(TypedDict):
    """One object of ``rules.json`` (as build_rules.py writes it)."""

    id: str
    level: str  # "ERR" | "WARN" | "INFO"
    message: str  # oasdiff's English template (%s / %v / %d / %q)
    check: NotRequired[str | None]  # the owning oasdiff check; null for the always-on policy ids
    source: NotRequired[str]  # "console": beyond oasdiff (console_rules.py); absent: oasdiff's rule
    reason: NotRequired[str]  # console rules: why this level


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    message: str
    check: str | None
    source: str = "oasdiff"  # or "console": a rule beyond oasdiff (console_rules.py)
    reason: str = ""  # console rules: why this level


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    data: list[RuleEntry] = json.loads(_RULES_FILE.read_text(encoding="utf-8"))
    return {
        r["id"]: Rule(
            r["id"], r["level"], r["message"], r.get("check"), r.get("source", "oasdiff"), r.get("reason", "")
        )
        for r in data
    }


def console_rule_ids() -> frozenset[str]:
    """The ids beyond oasdiff (``"source": "console"`` in rules.json)."""
    return frozenset(r.id for r in all_rules().values() if r.source == "console")


def get_rule(rule_id: str) -> Rule:
    try:
        return all_rules()[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r} (not in rules.json)") from None


def rule_ids_for_checks(check_names: Iterable[str]) -> frozenset[str]:
    """Rule ids emitted by the given oasdiff check names, plus the always-on policy ids."""
    wanted = set(check_names)
    ids = {r.id for r in all_rules().values() if r.check in wanted}
    return frozenset(ids | ALWAYS_ON_RULE_IDS)


def go_value(value: object) -> str:
    """Render one message argument the way Go's %v does for the values checks pass."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "<nil>"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{go_value(k)}:{go_value(v)}" for k, v in sorted(value.items(), key=str)) + "]"
    return str(value)


_TEMPLATES: dict[str, str] = {}


def _template(rule_id: str) -> str:
    template = _TEMPLATES.get(rule_id)
    if template is None:
        template = _TEMPLATES[rule_id] = (
            get_rule(rule_id).message.replace("%v", "%s").replace("%d", "%s").replace("%q", "%s")
        )
    return template


def format_message(rule_id: str, args: tuple[object, ...], details: str = "") -> str:
    """oasdiff's uncolorized text: every argument back-quoted into the template."""
    template = _TEMPLATES.get(rule_id) or _template(rule_id)
    quoted = tuple([f"`{a}`" if type(a) is str else f"`{go_value(a)}`" for a in args])
    return _fill(template, quoted, details)


def format_message_as(
    rule_id: str,
    args: tuple[object, ...],
    details: str,
    *,
    quote: Callable[[str], str],
    words: Callable[[str], str],
    text: Callable[[str], str],
) -> str:
    """The same message in another markup (the Markdown report): each argument rendered by ``quote``,
    the rule's own words by ``words`` and the details (they name a media type) by ``text``. The
    plain text's back-quoting can't be reused there: a backtick in a spec value would close it."""
    template = words(_TEMPLATES.get(rule_id) or _template(rule_id))
    quoted = tuple([quote(a if type(a) is str else go_value(a)) for a in args])
    return _fill(template, quoted, text(details) if details else "")


def _fill(template: str, quoted: tuple[str, ...], details: str) -> str:
    try:
        text = template % quoted
    except TypeError:  # wrong number of args: keep the message readable rather than crash
        text = template.replace("%s", "{}").format(*(quoted + ("?",) * template.count("%s")))
    return f"{text} {details}" if details else text
