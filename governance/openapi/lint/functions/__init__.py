"""Ruleset functions: Spectral's core functions, by name, and the contract a custom one follows.

A function is called as ``fn(target, options, context)`` and returns None or a list of results,
each a dict with ``message`` (a template: ``#{{print("property")}}`` etc.) and optionally
``path`` (a full path; default: the target's path). ``context`` is a :class:`Context`.
A custom function is any Python callable named in a ruleset as ``package.module:function`` (or
``package.module.function``); give it an ``accepts(target) -> bool`` attribute to have inputs of
the wrong shape skipped, and ``check_options(options) -> str | None`` to validate options.
"""

from __future__ import annotations

from .base import Context, FunctionResult, RulesetFunction, Run

__all__ = ["Context", "FunctionResult", "Run", "RulesetFunction", "core_functions"]


def core_functions() -> dict[str, RulesetFunction]:
    from . import core, schema

    functions = dict(core.FUNCTIONS)
    functions["schema"] = schema.SCHEMA
    return functions
