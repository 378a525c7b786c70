"""Say each change once: findings folded by (rule, origin, direction).

The checks report a change inside a shared schema once per operation, response status and property
path that reaches it: Stripe 2023-03-01 -> 2023-09-06 gives 72,642 findings from ~600 changes. A
``Group`` is every finding of one rule at one origin (the pointers of the changed node in the base
and revision documents, after ``$ref`` resolution) in one direction: request and response are kept
apart, as the direction decides what a change means to a client. Its id hashes that key only, so it
is the same in every run and in the next revision while the change is the same: it is what a waiver
keys on.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, deque
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING

from .rules import LEVELS, format_message_as, go_value

if TYPE_CHECKING:
    from .model import Finding

_SHOWN = 3  # distinct values a summary names before "and N more"
_ID_LENGTH = 16  # hex digits of the group id (64 bits)
_ABSENT = "~"  # a pointer of None in the id's key ("~" is no JSON pointer)

# /components/<kind>/<name>: how the text names the component a change happened in
_COMPONENT_KINDS = {
    "schemas": "schema",
    "parameters": "parameter",
    "responses": "response",
    "requestBodies": "request body",
    "headers": "header",
    "securitySchemes": "security scheme",
    "links": "link",
    "callbacks": "callback",
    "pathItems": "path item",
    "examples": "example",
}
_DIRECTION_WORDS = {"request": "the requests of ", "response": "the responses of "}
_RULE_DIRECTIONS: dict[str, str] = {}

Markup = Callable[[str], str]
GroupKey = tuple[str, str, str | None, str | None]  # rule, direction ("" until merged), pointers

# C-speed readers of the private fields (group_findings runs over every finding: Stripe 72k)
_KEY = attrgetter("_id", "_direction", "_base_pointer", "_revision_pointer")
_LEVEL = attrgetter("_level")
_ARGS = attrgetter("_args")
_TEXT = attrgetter("_text")
_OPERATION = attrgetter("_operation", "_path")


def _same(value: str) -> str:
    return value


def _backquoted(value: str) -> str:
    return f"`{value}`"


def rule_direction(rule_id: str) -> str:
    """The direction a rule id names (oasdiff's ids say "request" / "response"), "" for neither: the
    direction of findings emitted by operation checks, which have no schema site."""
    direction = _RULE_DIRECTIONS.get(rule_id)
    if direction is None:
        words = rule_id.split("-")
        direction = "request" if "request" in words else "response" if "response" in words else ""
        _RULE_DIRECTIONS[rule_id] = direction
    return direction


def group_id(rule_id: str, direction: str, base_pointer: str | None, revision_pointer: str | None) -> str:
    key = "\n".join(
        (
            rule_id,
            direction,
            _ABSENT if base_pointer is None else base_pointer,
            _ABSENT if revision_pointer is None else revision_pointer,
        )
    )
    return hashlib.blake2b(key.encode(), digest_size=_ID_LENGTH // 2).hexdigest()


class Group:
    """The occurrences of one change: ``findings`` in report order (at least one)."""

    __slots__ = (
        "id",
        "rule",
        "level",
        "direction",
        "base_pointer",
        "revision_pointer",
        "findings",
        "_text",
        "_pairs",
        "_labels",
        "_messages",
    )

    def __init__(
        self, rule: str, direction: str, findings: list[Finding], labels: dict[tuple[str, str], str] | None = None
    ):
        first = findings[0]
        self.rule = rule
        self.direction = direction  # "request" | "response" | ""
        self.base_pointer = first.base_pointer
        self.revision_pointer = first.revision_pointer
        self.findings = findings
        self.level = max(set(map(_LEVEL, findings)), key=LEVELS.__getitem__)
        self.id = group_id(rule, direction, self.base_pointer, self.revision_pointer)
        self._text: str | None = None
        self._pairs: list[tuple[str, str]] | None = None
        self._messages: list[Finding] | None = None
        # "METHOD path" per (method, path), shared by the groups of one report: Stripe's groups reach
        # ~90k operations in all, ~450 distinct
        self._labels = labels if labels is not None else {}

    @property
    def origin(self) -> str:
        return self.findings[0].origin

    @property
    def occurrences(self) -> int:
        return len(self.findings)

    @property
    def operations(self) -> list[str]:
        """The operations the change reaches ("GET /v1/charges"), in report order; "" for the document."""
        labels = self._labels
        return [labels.get(pair) or labels.setdefault(pair, _label(pair)) for pair in self._operation_pairs()]

    def _operation_pairs(self) -> list[tuple[str, str]]:
        pairs = self._pairs
        if pairs is None:
            pairs = self._pairs = list(dict.fromkeys(map(_OPERATION, self.findings)))
        return pairs

    @property
    def component(self) -> tuple[str, str] | None:
        """(kind, name) of the component the origin is in (``("schema", "Charge")``), None when the
        change is in an operation's own text or elsewhere in the document."""
        pointer = self.revision_pointer if self.revision_pointer is not None else self.base_pointer
        if not pointer or not pointer.startswith("/components/"):
            return None
        tokens = _tokens(pointer.split("/", 4)[1:4])  # the first three: components, kind, name
        if len(tokens) == 3:
            return _COMPONENT_KINDS.get(tokens[1], tokens[1]), tokens[2]
        return None

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            # one message for every occurrence (most groups; GitHub's inline schemas: nearly all) is
            # the summary as it stands, already formatted once by ``format_texts``
            messages = self._distinct_messages()
            summary = messages[0]._text if len(messages) == 1 else None
            text = self._text = self.text_as(quote=_backquoted, words=_same, text=_same, summary=summary)
        return text

    def text_as(self, *, quote: Markup, words: Markup, text: Markup, summary: str | None = None) -> str:
        """The change once, in a markup (as ``Finding.text_as``): the rule's message with what
        differs between occurrences summarised, the component it happened in and its reach."""
        if summary is None:
            summary = self.summary_as(quote=quote, words=words, text=text)
        parts = [summary]
        component = self.component
        if component is not None:
            parts.append(words(f" — {component[0]} ") + quote(component[1]) + words(", "))
        else:
            parts.append(words(" — "))
        parts.append(self.reach_as(words=words, text=text))
        return "".join(parts)

    def summary_as(self, *, quote: Markup, words: Markup, text: Markup) -> str:
        """The rule's message, each argument shown once when all occurrences agree on it; else a
        property path by the segments all its values end with (``…/type``), other values listed
        (``a``, ``b``, ``c`` and 12 more)."""
        findings = self.findings
        first = findings[0]
        if not first._args and not first._details:  # created with its text (e.g. read back from a store)
            texts = list(dict.fromkeys(f.text for f in findings))
            more = words(f" (and {len(texts) - 1} other messages)") if len(texts) > 1 else ""
            return text(texts[0]) + more
        messages = self._distinct_messages()
        columns = _distinct_args(messages)
        details = {f._details for f in messages}
        return format_message_as(
            self.rule,
            tuple(_column(values, quote, words) for values in columns),
            first._details if len(details) == 1 else "",
            quote=_same,
            words=words,
            text=text,
        )

    def _distinct_messages(self) -> list[Finding]:
        """One finding per distinct message, in report order. ``format_texts`` gives the findings of
        one (rule, args, details) the same text object, so this is one C-speed pass over the identities
        (Stripe: 72k findings, ~6k texts); unformatted findings (a Report built by hand) all count."""
        messages = self._messages
        if messages is None:
            texts = list(map(_TEXT, self.findings))
            if None in texts:
                messages = self.findings
            else:
                messages = list(dict(zip(map(id, texts), self.findings, strict=True)).values())
            self._messages = messages
        return messages

    def reach_as(self, *, words: Markup, text: Markup) -> str:
        """ "in the responses of 446 operations, 8,460 places" / "in the requests of POST /v1/charges"."""
        pairs = self._operation_pairs()
        count, occurrences = len(pairs), len(self.findings)
        if pairs == [("", "")]:
            reach = words("in the document")
        else:
            reach = words("in " + _DIRECTION_WORDS.get(self.direction, ""))
            reach += text(_label(pairs[0])) if count == 1 else words(f"{count:,} operations")
        if occurrences > count:
            reach += words(f", {occurrences:,} places")
        return reach

    def as_dict(self, change_index: dict[int, int] | None = None) -> dict[str, object]:
        """The JSON report's entry; ``change_index`` (id of a finding -> its index in ``changes``)
        adds the occurrences' indices there."""
        entry: dict[str, object] = {
            "id": self.id,
            "level": self.level,
            "rule": self.rule,
            "direction": self.direction,
            "origin": self.origin,
            "base_pointer": self.base_pointer,
            "revision_pointer": self.revision_pointer,
            "text": self.text,
            "operations": self.operations,
            "occurrences": len(self.findings),
        }
        if change_index is not None:
            entry["changes"] = [change_index[id(f)] for f in self.findings]
        return entry


def group_findings(findings: list[Finding]) -> list[Group]:
    """One ``Group`` per (rule, direction, base pointer, revision pointer), ERR first, then by origin.

    One pass with a tuple key per finding (Stripe: 72k findings, ~10 ms); a finding without a site
    direction (an operation check's) takes the one its rule id names.
    """
    by_key: defaultdict[GroupKey, list[Finding]] = defaultdict(list)
    # for f in findings: by_key[key(f)].append(f), looped in C (a deque of no length consumes the map)
    deque(map(list.append, map(by_key.__getitem__, map(_KEY, findings)), findings), maxlen=0)
    merged: dict[GroupKey, list[Finding]] = {}
    order: dict[int, int] = {}
    for (rule, direction, base, revision), members in by_key.items():
        key = (rule, direction or rule_direction(rule), base, revision)
        if key in merged:  # the same change from a site and from an operation check: keep report order
            order = order or {id(f): i for i, f in enumerate(findings)}
            merged[key] = sorted(merged[key] + members, key=lambda f: order[id(f)])
        else:
            merged[key] = members
    labels: dict[tuple[str, str], str] = {}
    groups = [Group(rule, direction, members, labels) for (rule, direction, _b, _r), members in merged.items()]
    groups.sort(key=lambda g: (-LEVELS[g.level], g.origin, g.rule, g.direction))
    return groups


def _label(pair: tuple[str, str]) -> str:
    return f"{pair[0]} {pair[1]}".strip()


def _tokens(escaped: list[str]) -> list[str]:
    """JSON pointer tokens, unescaped."""
    return [t.replace("~1", "/").replace("~0", "~") for t in escaped]


def _distinct_args(findings: list[Finding]) -> list[list[str]]:
    """For each message argument, its distinct values as the message prints them, in report order.
    Numbers and other values go through ``go_value`` (``1``, ``1.0`` and ``True`` print
    differently); lists are unhashable."""
    all_args = list(map(_ARGS, findings))
    width = len(all_args[0])
    if any(len(args) != width for args in all_args):
        all_args = [args[:width] + ("",) * (width - len(args)) for args in all_args]
    columns: list[list[str]] = []
    for column in zip(*all_args, strict=True):
        try:
            distinct = list(dict.fromkeys(column))
        except TypeError:  # unhashable spec values
            distinct = list(column)
        if not all(type(v) is str for v in distinct):
            distinct = list(dict.fromkeys(v if type(v) is str else go_value(v) for v in distinct))
        columns.append(distinct)
    return columns


def _column(values: list[str], quote: Markup, words: Markup) -> str:
    if len(values) == 1:
        return quote(values[0])
    suffix = _common_path_suffix(values)
    if suffix:
        return quote("…/" + suffix)
    if len(values) <= _SHOWN + 1:
        return words(", ").join(quote(v) for v in values)
    return words(", ").join(quote(v) for v in values[:_SHOWN]) + words(f" and {len(values) - _SHOWN} more")


def _common_path_suffix(values: list[str]) -> str:
    """The trailing "/"-segments every value ends with, when the values are property paths (some
    contain a "/"): the same property reached from different roots. "" when there is none."""
    if not any("/" in v for v in values):
        return ""
    split = [v.split("/") for v in values]
    common: list[str] = []
    for segments in zip(*(reversed(s) for s in split), strict=False):
        if any(s != segments[0] for s in segments):
            break
        common.append(segments[0])
    return "/".join(reversed(common))
