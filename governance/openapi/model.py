"""Findings, levels and the report returned by ``diff_specs``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from types import EllipsisType
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypedDict

from .rules import LEVELS, format_message, format_message_as

if TYPE_CHECKING:
    from .groups import Group

# Numeric order matters: filtering keeps findings whose level >= the minimum.
NONE = "NONE"  # severity override that drops a rule


def level_value(level: str) -> int:
    return LEVELS[level]


# --- how checks emit findings -------------------------------------------------------------------


class Emit(Protocol):
    """``SpecDiff.emit``: the engine's ``Emitter`` (or any callable of this shape, in tests).

    ``args`` fill the rule's message template (strings, numbers, spec values: anything ``go_value``
    renders); a pointer is None where the finding has no location on that side.
    """

    def __call__(
        self,
        rule_id: str,
        *args: object,
        operation: str = "",
        path: str = "",
        base_pointer: str | None = None,
        revision_pointer: str | None = None,
        details: str = "",
    ) -> None: ...


# ``Emitter.add``, the positional fast path: (rule_id, args, operation, path, base_pointer,
# revision_pointer, details)
AddFinding: TypeAlias = Callable[[str, tuple[object, ...], str, str, str | None, str | None, str], None]


# A pointer argument of ``op.emit`` / ``site.emit``: a JSON pointer, None for "absent on that side",
# ``...`` (the default) for the operation's / the site's own pointer.
PointerArg: TypeAlias = str | None | EllipsisType


class Pointers(TypedDict):
    """The pointer keywords of an ``emit`` call, built once and passed as ``**pointers``."""

    base_pointer: str | None
    revision_pointer: str | None


# Finding._values(): id, level, operation, path, text, base_pointer, revision_pointer
_Values: TypeAlias = tuple[str, str, str, str, str, str | None, str | None]


class Finding:
    """One reported change. Read-only; the message ``text`` is formatted on first use.

    ``Finding(id, level, operation, path, text, base_pointer, revision_pointer)``: pass the
    text, or ``args=`` / ``details=`` and let the rule's template format it on demand (the
    engine does the latter: creating ~70k findings for a big diff stays cheap, and a finding
    filtered out by level is never formatted).

    Where the change happened (its ``origin``) is the pointer of the changed node in the documents,
    after ``$ref`` resolution: a change inside a shared component points into the component, whichever
    operation reached it. ``direction`` ("request" / "response", "" for the operation's own parts and
    the document) and ``via`` (the part of the operation the schema sits in, "response 200
    application/json") are set by the engine from the schema site the finding came from; the property
    path from there to the origin is the one the message names. ``groups.group_findings`` folds the
    findings of one (rule, origin, direction) into one entry. Neither is part of equality.
    """

    __slots__ = (
        "_id",
        "_level",
        "_operation",
        "_path",
        "_text",
        "_base_pointer",
        "_revision_pointer",
        "_args",
        "_details",
        "_direction",
        "_via",
    )
    FIELDS = ("id", "level", "operation", "path", "text", "base_pointer", "revision_pointer")

    def __init__(
        self,
        id: str,
        level: str,
        operation: str,
        path: str,
        text: str | None = None,
        base_pointer: str | None = None,
        revision_pointer: str | None = None,
        *,
        args: tuple[object, ...] = (),
        details: str = "",
        direction: str = "",
        via: str = "",
    ):
        self._id = id
        self._level = level
        self._operation = operation  # HTTP method upper-case, "" for document-level findings
        self._path = path
        self._text = text
        self._base_pointer = base_pointer
        self._revision_pointer = revision_pointer
        self._args = args
        self._details = details
        self._direction = direction  # "request" | "response" | "" (see the class docstring)
        self._via = via

    if TYPE_CHECKING:  # what the C attrgetter properties below return

        @property
        def id(self) -> str: ...
        @property
        def level(self) -> str: ...
        @property
        def operation(self) -> str: ...
        @property
        def path(self) -> str: ...
        @property
        def base_pointer(self) -> str | None: ...
        @property
        def revision_pointer(self) -> str | None: ...
        @property
        def direction(self) -> str: ...
        @property
        def via(self) -> str: ...
    else:
        id = property(attrgetter("_id"))
        level = property(attrgetter("_level"))
        operation = property(attrgetter("_operation"))
        path = property(attrgetter("_path"))
        base_pointer = property(attrgetter("_base_pointer"))
        revision_pointer = property(attrgetter("_revision_pointer"))
        direction = property(attrgetter("_direction"))
        via = property(attrgetter("_via"))

    @property
    def origin(self) -> str:
        """Where the change happened, as a URI fragment (``#/components/schemas/Charge/properties/amount``):
        the revision's pointer, or the base's where the revision no longer has it or the base's is the
        more precise of the two (a ``required`` entry under the same schema); "" for none."""
        base, revision = self._base_pointer, self._revision_pointer
        if revision is None or (base is not None and len(base) > len(revision) and base.startswith(revision + "/")):
            return "" if base is None else "#" + base
        return "#" + revision

    @property
    def text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = format_message(self._id, self._args, self._details)
        return text

    def text_as(self, *, quote: Callable[[str], str], words: Callable[[str], str], text: Callable[[str], str]) -> str:
        """The message in another markup: see ``rules.format_message_as``. A finding created with
        its text has nothing to quote separately: all of it goes through ``text``."""
        if self._args or self._details:
            return format_message_as(self._id, self._args, self._details, quote=quote, words=words, text=text)
        return text(self.text)

    def _values(self) -> _Values:
        return (
            self._id,
            self._level,
            self._operation,
            self._path,
            self.text,
            self._base_pointer,
            self._revision_pointer,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Finding:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Finding(" + ", ".join(f"{k}={v!r}" for k, v in zip(self.FIELDS, self._values(), strict=True)) + ")"

    def __reduce__(self) -> tuple[type[Finding], _Values, tuple[None, dict[str, str]]]:
        # (dict state, slot state): pickle sets the slots that are not constructor arguments
        return (Finding, self._values(), (None, {"_direction": self._direction, "_via": self._via}))

    def as_dict(self) -> dict[str, str | None]:
        return dict(zip(self.FIELDS, self._values(), strict=True))

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (-LEVELS[self._level], self._path, self._operation, self._id, self.text)


def format_texts(findings: list[Finding]) -> None:
    """Fill in the message of every finding, formatting each distinct (rule, args, details) once.

    A schema shared by many operations repeats the same findings per operation (Stripe: 72k
    findings, ~6k distinct texts), so one memo per diff saves most of the formatting.
    """
    memo: dict[tuple[str, tuple[object, ...], str], str] = {}
    for finding in findings:
        if finding._text is not None:
            continue
        args = finding._args
        for arg in args:
            if type(arg) is not str:  # 1 == 1.0 == True would share a key but read `1` / `true`
                finding._text = format_message(finding._id, args, finding._details)
                break
        else:
            key = (finding._id, args, finding._details)
            text = memo.get(key)
            if text is None:
                text = memo[key] = format_message(finding._id, args, finding._details)
            finding._text = text


_BY_TEXT = attrgetter("_path", "_operation", "_id", "_text")


def _by_level(finding: Finding) -> int:
    return -LEVELS[finding._level]


def sort_findings(findings: list[Finding]) -> None:
    """Sort in place by ``Finding.sort_key`` (texts must be formatted: see ``format_texts``).

    Two stable sorts (secondary keys with a C attrgetter, then the level) give exactly the
    order of one sort on the whole key, ties keeping emission order, at a fraction of the cost.
    """
    findings.sort(key=_BY_TEXT)
    findings.sort(key=_by_level)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def groups(self) -> list[Group]:
        """The findings folded by (rule, origin, direction), highest level first (``groups.py``).
        Built on first use: a caller that only wants the flat list pays nothing for it."""
        from .groups import group_findings

        return group_findings(self.findings)

    def group_summary(self) -> dict[str, int]:
        by_level = Counter(g.level for g in self.groups)
        return {"total": len(self.groups), **{level: by_level.get(level, 0) for level in ("ERR", "WARN", "INFO")}}

    @property
    def summary(self) -> dict[str, int]:
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
