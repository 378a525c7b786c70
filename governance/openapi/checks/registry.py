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

SPEC_CHECKS: list[Callable] = []
OPERATION_CHECKS: list[Callable] = []
SCHEMA_CHECKS: list[Callable] = []
# fn(findings: list[Finding]) -> list[Finding]; run after all checks (e.g. drop echoes of a headline finding)
POSTPROCESSORS: list[Callable] = []


def _register(target: list, names: tuple[str, ...]) -> Callable:
    if not names or not all(isinstance(n, str) for n in names):
        raise TypeError("give the oasdiff check name(s), e.g. @operation_check('APITagUpdatedCheck')")

    def decorator(fn: Callable) -> Callable:
        fn.oasdiff_checks = frozenset(names)
        target.append(fn)
        return fn
    return decorator


def spec_check(*names: str) -> Callable:
    return _register(SPEC_CHECKS, names)


def operation_check(*names: str) -> Callable:
    return _register(OPERATION_CHECKS, names)


SITE_KINDS = ("parameter", "request-body", "response-body", "response-header")  # SchemaSite.kind


def schema_check(*names: str, kinds: tuple[str, ...] | None = None) -> Callable:
    """``kinds``: the SchemaSite kinds the function can emit on (None: every kind). A function keeps its own
    ``site.kind`` guard (it may be called directly); ``kinds`` only lets the engine skip the call."""
    if kinds is not None and (isinstance(kinds, str) or not set(kinds) <= set(SITE_KINDS)):
        raise TypeError(f"kinds must be a tuple of {SITE_KINDS}, got {kinds!r}")
    register = _register(SCHEMA_CHECKS, names)

    def decorator(fn: Callable) -> Callable:
        fn.site_kinds = None if kinds is None else frozenset(kinds)
        return register(fn)
    return decorator


def postprocessor(fn: Callable) -> Callable:
    POSTPROCESSORS.append(fn)
    return fn


def for_kind(functions: list[Callable], kind: str) -> list[Callable]:
    """The schema checks (in registration order) that act on sites of ``kind``."""
    return [fn for fn in functions if getattr(fn, "site_kinds", None) is None or kind in fn.site_kinds]


def selected(functions: list[Callable], check_names: frozenset | None) -> list[Callable]:
    """The registered functions that implement at least one selected check (None: all).

    Functions marked ``always_on = True`` (oasdiff's stability policy, rules.json check null)
    run whatever checks are selected.
    """
    if check_names is None:
        return list(functions)
    return [fn for fn in functions if fn.oasdiff_checks & check_names or getattr(fn, "always_on", False)]
