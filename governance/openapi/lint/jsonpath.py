"""Spectral's JSONPath dialect, compiled to steps that one document walk serves.

A path is a list of steps from the root; each step selects children of the current node
(by name, any name, index, or a filter expression) and may be *deep* (``..``: any descendant).
The walk (runner.py) carries, per node, the set of (path, step) states reached there, so every
``given`` of every rule is answered by a single traversal.

Dialect (what nimma / jsonpath-plus accept in Spectral rulesets):
``$``, ``.name``, ``['name']``, ``["a","b"]``, ``[a,b]`` (unquoted member list), ``*`` / ``[*]``,
``[0]``, ``..`` before any of these, ``[?(expr)]`` filters (a JavaScript subset: ``@``,
``@property``, ``@parent``, ``@parentProperty``, ``@path``, member access, ``&& || !``,
``== != === !==``, ``< <= > >=``, ``typeof``, ``void 0``, literals, regex literals with
``.test()``/``.match()``, ``.includes()``, ``.length``, ``.constructor.name``), and a trailing
``~`` (select the key instead of the value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RulesetError
from .filters import UNDEFINED, Filter, Parser, compile_expr, guard, js_type, property_names

__all__ = ["UNDEFINED", "CompiledPath", "Step", "compile_path", "js_type"]


@dataclass(frozen=True)
class Step:
    deep: bool  # ``..``: applies to every descendant, not only children
    names: frozenset[str] | None = None  # None: any child (``*``), unless index/filter set
    index: int | None = None
    filter: Filter | None = None
    guard: frozenset[str] | None = None  # a filter can only pass on a dict holding one of these keys
    needs_object: bool = False  # the filter can only pass on a dict or a list (``@ && @.x``)
    source: str = ""


@dataclass(frozen=True)
class CompiledPath:
    text: str
    steps: tuple[Step, ...]
    key_of: bool = False  # trailing ``~``


# --- the path grammar ----------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9_$@\-]+|\*")


def compile_path(text: str) -> CompiledPath:
    """Compile a JSONPath string; raise RulesetError on a syntax error."""
    src = text.strip()
    if not src.startswith("$"):
        raise RulesetError(f"invalid JSONPath {text!r}: must start with '$' or an alias")
    pos = 1
    steps: list[Step] = []
    key_of = False
    n = len(src)
    while pos < n:
        deep = False
        if src.startswith("..", pos):
            deep = True
            pos += 2
            if pos >= n:
                raise RulesetError(f"invalid JSONPath {text!r}: ends with '..'")
            if src[pos] != "[":
                m = _NAME.match(src, pos)
                if not m:
                    raise RulesetError(f"invalid JSONPath {text!r} at {pos}")
                steps.append(_name_step(m.group(0), deep))
                pos = m.end()
                continue
        elif src[pos] == ".":
            pos += 1
            m = _NAME.match(src, pos)
            if not m:
                raise RulesetError(f"invalid JSONPath {text!r} at {pos}")
            steps.append(_name_step(m.group(0), deep))
            pos = m.end()
            continue
        if src[pos] == "~":
            if pos != n - 1:
                raise RulesetError(f"invalid JSONPath {text!r}: '~' must end the path")
            key_of = True
            pos += 1
            continue
        if src[pos] != "[":
            raise RulesetError(f"invalid JSONPath {text!r} at {pos}: unexpected {src[pos]!r}")
        end = _bracket_end(src, pos, text)
        inner = src[pos + 1 : end].strip()
        pos = end + 1
        steps.append(_bracket_step(inner, deep, text))
    return CompiledPath(text, tuple(steps), key_of)


def _name_step(name: str, deep: bool) -> Step:
    if name == "*":
        return Step(deep, source="*")
    return Step(deep, names=frozenset([name]), source=name)


def _bracket_end(src: str, start: int, text: str) -> int:
    depth = 0
    i = start
    quote = ""
    while i < len(src):
        c = src[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise RulesetError(f"invalid JSONPath {text!r}: unbalanced '['")


def _bracket_step(inner: str, deep: bool, text: str) -> Step:
    if inner == "*":
        return Step(deep, source="*")
    if inner.startswith("?"):
        expr = inner[1:].strip()
        if expr.startswith("(") and expr.endswith(")"):
            expr = expr[1:-1]
        try:
            node = Parser(expr).parse()
        except RulesetError as exc:
            raise RulesetError(f"invalid JSONPath {text!r}: {exc}") from None
        only, rest = property_names(node)
        if rest is None:  # the filter was only ``@property === 'x'``: a name step
            return Step(deep, names=only, source=inner)
        keys, needs_object = guard(rest)
        return Step(deep, names=only, filter=compile_expr(rest), guard=keys, needs_object=needs_object, source=inner)
    if re.fullmatch(r"-?\d+", inner):
        return Step(deep, index=int(inner), source=inner)
    names: list[str] = []
    for part in _split_members(inner, text):
        part = part.strip()
        if len(part) >= 2 and part[0] == part[-1] and part[0] in "'\"":
            names.append(_unquote(part[1:-1]))
        elif part == "*":
            return Step(deep, source="*")
        elif part and re.fullmatch(r"[^\s'\"\[\]]+", part):
            names.append(part)
        else:
            raise RulesetError(f"invalid JSONPath {text!r}: bad member {part!r}")
    return Step(deep, names=frozenset(names), source=inner)


def _split_members(inner: str, text: str) -> list[str]:
    parts, current, quote = [], [], ""
    i = 0
    while i < len(inner):
        c = inner[i]
        if quote:
            current.append(c)
            if c == "\\" and i + 1 < len(inner):
                current.append(inner[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
            current.append(c)
        elif c == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    if quote:
        raise RulesetError(f"invalid JSONPath {text!r}: unterminated string")
    parts.append("".join(current))
    return parts


def _unquote(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)
