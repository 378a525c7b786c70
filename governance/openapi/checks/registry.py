"""Where rule families register their check functions.

Three scopes, each a decorator taking the oasdiff check name(s) the function implements
(the names used by ``Options.checks`` and rules.json's ``check`` field):

* ``@spec_check(name)``      fn(spec_diff: SpecDiff)   once per diff (paths added/removed, components, security)
* ``@operation_check(name)`` fn(op: OperationDiff)     once per changed operation pair
* ``@schema_check(name)``    fn(site: SchemaSite)      once per changed schema root of an operation
                                                       (parameter, request body, response body, response header);
                                                       ``@schema_check(name, kinds=(...))`` names the site kinds
                                                       it acts on, so the engine skips the others (``for_kind``:
                                                       ~90 checks x ~1000 sites of early returns otherwise)

Findings go through ``emit`` (``spec_diff.emit`` / ``op.emit`` / ``site.emit``), which fills
the message from rules.json and applies severity overrides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Never, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from ..diff import OperationDiff, SpecDiff
    from ..model import Finding
    from .sites import SchemaSite

_Target = TypeVar("_Target", contravariant=True)
T = TypeVar("T")


class Check(Protocol[_Target]):
    """A registered check function: called with its scope's object, tagged by the decorator."""

    oasdiff_checks: frozenset[str]  # the oasdiff check names it implements
    always_on: bool  # runs whatever checks are selected (oasdiff's stability policy); False unless set

    def __call__(self, target: _Target, /) -> None: ...


class SchemaCheck(Check["SchemaSite"], Protocol):
    site_kinds: frozenset[str] | None  # the SchemaSite kinds it acts on (None: every kind)


# Check[Never] is any check (the target is contravariant): what selected() accepts
AnyCheck = TypeVar("AnyCheck", bound=Check[Never])
Postprocessor = Callable[[list["Finding"]], list["Finding"]]

SPEC_CHECKS: list[Check[SpecDiff]] = []
OPERATION_CHECKS: list[Check[OperationDiff]] = []
SCHEMA_CHECKS: list[SchemaCheck] = []
# fn(findings: list[Finding]) -> list[Finding]; run after all checks (e.g. drop echoes of a headline finding)
POSTPROCESSORS: list[Postprocessor] = []


def _check_names(names: tuple[str, ...]) -> None:
    if not names or not all(isinstance(n, str) for n in names):
        raise TypeError("give the oasdiff check name(s), e.g. @operation_check('APITagUpdatedCheck')")


def _tag(fn: Callable[[T], None], names: tuple[str, ...]) -> Check[T]:
    check = cast("Check[T]", fn)  # a plain function until tagged here
    check.oasdiff_checks = frozenset(names)
    check.always_on = False
    return check


def _register(target: list[Check[T]], names: tuple[str, ...]) -> Callable[[Callable[[T], None]], Check[T]]:
    _check_names(names)

    def decorator(fn: Callable[[T], None]) -> Check[T]:
        check = _tag(fn, names)
        target.append(check)
        return check

    return decorator


def spec_check(*names: str) -> Callable[[Callable[[SpecDiff], None]], Check[SpecDiff]]:
    return _register(SPEC_CHECKS, names)


def operation_check(*names: str) -> Callable[[Callable[[OperationDiff], None]], Check[OperationDiff]]:
    return _register(OPERATION_CHECKS, names)


SITE_KINDS = ("parameter", "request-body", "response-body", "response-header")  # SchemaSite.kind


def schema_check(
    *names: str, kinds: tuple[str, ...] | None = None
) -> Callable[[Callable[[SchemaSite], None]], SchemaCheck]:
    """``kinds``: the SchemaSite kinds the function can emit on (None: every kind). A function keeps its own
    ``site.kind`` guard (it may be called directly); ``kinds`` only lets the engine skip the call."""
    if kinds is not None and (isinstance(kinds, str) or not set(kinds) <= set(SITE_KINDS)):
        raise TypeError(f"kinds must be a tuple of {SITE_KINDS}, got {kinds!r}")
    _check_names(names)

    def decorator(fn: Callable[[SchemaSite], None]) -> SchemaCheck:
        check = cast("SchemaCheck", fn)  # tagged below and by _tag
        check.site_kinds = None if kinds is None else frozenset(kinds)
        _tag(fn, names)
        SCHEMA_CHECKS.append(check)
        return check

    return decorator


def postprocessor(fn: Postprocessor) -> Postprocessor:
    POSTPROCESSORS.append(fn)
    return fn


def for_kind(functions: list[SchemaCheck], kind: str) -> list[SchemaCheck]:
    """The schema checks (in registration order) that act on sites of ``kind``."""
    return [fn for fn in functions if (kinds := getattr(fn, "site_kinds", None)) is None or kind in kinds]


def selected(functions: list[AnyCheck], check_names: frozenset[str] | None) -> list[AnyCheck]:
    """The registered functions that implement at least one selected check (None: all).

    Functions marked ``always_on = True`` (oasdiff's stability policy, rules.json check null)
    run whatever checks are selected.
    """
    if check_names is None:
        return list(functions)
    return [fn for fn in functions if fn.oasdiff_checks & check_names or getattr(fn, "always_on", False)]
