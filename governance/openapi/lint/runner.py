"""Run a ruleset over a document: every ``given`` compiled once, all served by one walk.

The walk carries, per node, the set of (path, step) states that reached it (an NFA over all the
compiled paths at once); transitions are memoised per state set, and filters carry a key guard
so most nodes are skipped without evaluating them. Rules that want the resolved document
(Spectral's default) are served by a second walk that follows local ``$ref``s: a target is
entered once per state (memoised), and results are reported at the target's own location, as
Spectral maps resolved paths back to their source.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .document import Document, Path
from .errors import RulesetError
from .functions import Context
from .jsonpath import UNDEFINED, CompiledPath, Step, compile_path
from .messages import print_path_dot, print_path_pointer, render
from .positions import Range
from .ruleset import Rule, Ruleset, Then

_EMPTY: frozenset[int] = frozenset()


@dataclass
class LintResult:
    code: str
    path: Path
    message: str
    severity: int
    source: str
    range: Range = ((0, 0), (0, 0))

    def as_spectral(self) -> dict[str, Any]:
        (sl, sc), (el, ec) = self.range
        return {
            "code": self.code,
            "path": [str(p) for p in self.path],
            "message": self.message,
            "severity": self.severity,
            "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
            "source": self.source,
        }


@functools.lru_cache(maxsize=1024)
def _compile(text: str) -> CompiledPath:
    return compile_path(text)


class _Transitions:
    """What a node's state set does to each child."""

    __slots__ = ("keep", "wild", "names", "index", "filters", "finals", "live")

    def __init__(self, states: frozenset[int], steps: list[tuple[int, Step | None]]):
        keep: set[int] = set()
        wild: set[int] = set()
        names: dict[str, set[int]] = {}
        index: dict[int, set[int]] = {}
        filters: list[tuple[frozenset[str] | None, bool, Callable[..., bool], int, frozenset[str] | None]] = []
        finals: list[int] = []
        for state in states:
            path_index, step = steps[state]
            if step is None:
                finals.append(path_index)
                continue
            nxt = state + 1
            if step.deep:
                keep.add(state)
            if step.filter is not None:
                filters.append((step.guard, step.needs_object, step.filter, nxt, step.names))
            elif step.index is not None:
                index.setdefault(step.index, set()).add(nxt)
            elif step.names is None:
                wild.add(nxt)
            else:
                for name in step.names:
                    names.setdefault(name, set()).add(nxt)
        self.keep = frozenset(keep | wild)
        self.wild = frozenset(wild)
        self.names = {k: frozenset(v | keep | wild) for k, v in names.items()}
        self.index = {k: frozenset(v | keep | wild) for k, v in index.items()}
        self.filters = filters
        self.finals = finals
        self.live = bool(keep or wild or names or index or filters)


class _Walker:
    def __init__(self, paths: list[CompiledPath]):
        self.paths = paths
        self.steps: list[tuple[int, Step | None]] = []
        self.starts: list[int] = []
        for path_index, path in enumerate(paths):
            self.starts.append(len(self.steps))
            for step in path.steps:
                self.steps.append((path_index, step))
            self.steps.append((path_index, None))
        self._transitions: dict[frozenset[int], _Transitions] = {}
        self._interned: dict[frozenset[int], frozenset[int]] = {}
        self._final: dict[frozenset[int], bool] = {}

    def transitions(self, states: frozenset[int]) -> _Transitions:
        found = self._transitions.get(states)
        if found is None:
            found = self._transitions[states] = _Transitions(states, self.steps)
        return found

    def has_final(self, states: frozenset[int]) -> bool:
        found = self._final.get(states)
        if found is None:
            found = self._final[states] = bool(self.transitions(states).finals)
        return found

    def intern(self, states: frozenset[int]) -> frozenset[int]:
        return self._interned.setdefault(states, states)

    def walk(self, document: Document, resolved: bool) -> dict[int, list[tuple[Path, Any, Any]]]:
        """path index -> [(node path, value, key)] for every node each path selects."""
        matches: dict[int, list[tuple[Path, Any, Any]]] = {}
        root_states = self.intern(frozenset(self.starts))
        targets: set[int] = set()
        if resolved:
            for target_path in document.ref_targets:
                found = document.target_of(
                    "#" + "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in target_path)
                )
                if found is not None and isinstance(found[0], (dict, list)):
                    targets.add(id(found[0]))
        done: dict[int, set[int]] = {}
        # stack entries: (value, key, parent, path cons-list, states)
        stack: list[tuple[Any, Any, Any, Any, frozenset[int]]] = [
            (document.data, UNDEFINED, UNDEFINED, None, root_states)
        ]
        transitions = self.transitions
        intern = self.intern
        has_final = self.has_final
        deref = document.deref
        while stack:
            value, key, parent, cons, states = stack.pop()
            trans = transitions(states)
            if trans.finals:
                path = _unwind(cons)
                for path_index in trans.finals:
                    if self.paths[path_index].key_of:
                        matches.setdefault(path_index, []).append((path, key, key))
                    else:
                        matches.setdefault(path_index, []).append((path, value, key))
            if not trans.live:
                continue
            if type(value) is dict:
                items: Iterable[tuple[Any, Any]] = value.items()
            elif type(value) is list:
                items = enumerate(value)
            else:
                continue
            keep, names, filters = trans.keep, trans.names, trans.filters
            index = trans.index
            for child_key, child in items:
                child_cons: Any = (cons, child_key)
                if resolved and type(child) is dict and "$ref" in child:
                    target, ref_path = deref(child)
                    if ref_path is not None:
                        child = target
                        child_cons = _cons(ref_path)
                if type(child_key) is int:
                    child_states = index.get(child_key, keep) if index else keep
                else:
                    child_states = names.get(child_key, keep)
                if filters:
                    extra = None
                    for guard, needs_object, fn, nxt, only in filters:
                        if only is not None and child_key not in only:
                            continue
                        if guard is not None:
                            if type(child) is not dict or guard.isdisjoint(child):
                                continue
                        elif needs_object and type(child) is not dict and type(child) is not list:
                            continue
                        if fn(child, child_key, value, None):
                            if extra is None:
                                extra = {nxt}
                            else:
                                extra.add(nxt)
                    if extra:
                        child_states = intern(child_states | extra)
                if not child_states:
                    continue
                if type(child) is not dict and type(child) is not list and not has_final(child_states):
                    continue  # a scalar nothing selects: most of the document
                if resolved and id(child) in targets:
                    seen = done.setdefault(id(child), set())
                    fresh = child_states - seen
                    if not fresh:
                        continue
                    seen.update(fresh)
                    child_states = intern(frozenset(fresh))
                stack.append((child, child_key, value, child_cons, child_states))
        for selected in matches.values():
            selected.reverse()  # the stack visits children last-first
        return matches


def _cons(path: Path) -> Any:
    cons: Any = None
    for segment in path:
        cons = (cons, segment)
    return cons


def _unwind(cons: Any) -> Path:
    out: list[Any] = []
    while cons is not None:
        cons, segment = cons
        out.append(segment)
    out.reverse()
    return tuple(out)


# --- applying rules to matches --------------------------------------------------------------
def lint(document: Document, ruleset: Ruleset, with_ranges: bool = True) -> list[LintResult]:
    formats = document.formats
    active = [
        r for r in ruleset.rules.values() if (r.enabled or _overridden(ruleset, r)) and r.matches_formats(formats)
    ]
    results: list[LintResult] = []
    for resolved in (True, False):
        rules = [r for r in active if r.resolved is resolved]
        if not rules:
            continue
        texts: list[str] = []
        per_rule: list[tuple[Rule, list[int]]] = []
        for rule in rules:
            indices = []
            for given in rule.given:
                for text in ruleset.expand(given, formats, rule.name):
                    if text not in texts:
                        texts.append(text)
                    indices.append(texts.index(text))
            per_rule.append((rule, indices))
        walker = _Walker([_compile(t) for t in texts])
        matches = walker.walk(document, resolved)
        for rule, indices in per_rule:
            for path_index in indices:
                for path, value, _key in matches.get(path_index, ()):
                    _lint_node(document, ruleset, rule, path, value, results)
    results.extend(_invalid_refs(document))
    unique = _deduplicate(results)
    if with_ranges:
        for result in unique:
            result.range = document.range_for(result.path)
    unique.sort(key=_sort_key)
    return unique


def _overridden(ruleset: Ruleset, rule: Rule) -> bool:
    return any(rule.name in o.severities and o.severities[rule.name] != -1 for o in ruleset.overrides)


def _sort_key(result: LintResult) -> tuple[Any, ...]:
    return (result.source, result.range[0], result.code, ",".join(str(p) for p in result.path))


def _deduplicate(results: list[LintResult]) -> list[LintResult]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for result in results:
        fingerprint = (result.code, json.dumps([str(p) for p in result.path]), result.source, result.message)
        if fingerprint not in seen:
            seen.add(fingerprint)
            out.append(result)
    return out


def _targets(document: Document, value: Any, field: str | None, resolved: bool) -> list[tuple[Path, Any]]:
    if field is None or not isinstance(value, (dict, list)):
        return [((), value)]
    if field == "@key":
        keys = list(value.keys()) if isinstance(value, dict) else list(range(len(value)))
        return [((k,), str(k)) for k in keys] or [((), UNDEFINED)]
    if field.startswith("$"):
        sub = Document.__new__(Document)
        sub.__dict__.update(document.__dict__)
        sub.data = value
        found = _Walker([_compile(field)]).walk(sub, False).get(0, [])
        return [(p, v) for p, v, _ in found] or [((), UNDEFINED)]
    segments = _to_path(field)
    node: Any = value
    for segment in segments:
        if resolved:
            node = document.deref(node)[0]
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            node = UNDEFINED
            break
    if resolved:
        node = document.deref(node)[0]
    return [(tuple(segments), node)]


def _to_path(field: str) -> list[str]:
    """lodash.toPath: ``a.b[0]['c']``."""
    out: list[str] = []
    for part in field.replace("]", "").replace("[", ".").split("."):
        if part:
            out.append(part.strip("'\""))
    return out


def _lint_node(
    document: Document, ruleset: Ruleset, rule: Rule, given_path: Path, value: Any, results: list[LintResult]
) -> None:
    for then in rule.then:
        for target_path, target in _targets(document, value, then.field, rule.resolved):
            path = given_path + target_path
            function = then.function
            if function.accepts is not None and target is not UNDEFINED and not function.accepts(target):
                continue
            if function.accepts is not None and target is UNDEFINED and function.name not in _ACCEPT_UNDEFINED:
                continue
            context = Context(document, path, given_path, rule.name, rule.resolved)
            try:
                found = function.run(target, then.options, context)
            except RecursionError:
                raise
            except Exception as exc:  # a custom function's bug: name the rule, no traceback
                raise RulesetError(
                    f'rule "{rule.name}": function "{function.name}" raised {type(exc).__name__}: {exc}'
                ) from None
            if not found:
                continue
            for item in found:
                _add_result(document, ruleset, rule, then, item, path, results)


_ACCEPT_UNDEFINED = {"truthy", "falsy", "defined", "undefined", "schema"}


def _add_result(
    document: Document,
    ruleset: Ruleset,
    rule: Rule,
    then: Then,
    item: dict[str, Any],
    target_path: Path,
    results: list[LintResult],
) -> None:
    raw_path = tuple(item.get("path", target_path))
    path, value = _closest(document, raw_path, rule.resolved)
    if len(raw_path) > len(path) and path:
        prop = print_path_dot(list(raw_path[len(path) - 1 :]))
    elif path:
        prop = str(path[-1])
    elif raw_path:
        prop = print_path_dot(list(raw_path))
    else:
        prop = ""
    values = {
        "property": prop,
        "error": item.get("message", ""),
        "path": print_path_pointer(list(path)),
        "description": rule.description,
        "value": value,
    }
    result_message = render(str(item.get("message", "")), values)
    values["error"] = result_message
    if rule.message is None:
        message = rule.description if rule.description is not None else result_message
    else:
        message = render(rule.message, values)
    severity = ruleset.severity_for(rule, document.source, path)
    if severity == -1:
        return
    results.append(LintResult(rule.name, path, message.strip(), severity, document.source))


def _closest(document: Document, path: Path, resolved: bool) -> tuple[Path, Any]:
    """The longest existing prefix of ``path`` (through local $refs for resolved rules, whose
    results move to the target's own location) and the value there."""
    node: Any = document.data
    out: list[Any] = []
    for segment in path:
        if resolved and isinstance(node, dict) and "$ref" in node:
            target, target_path = document.deref(node)
            if target_path is not None:
                node, out = target, list(target_path)
        if isinstance(node, dict):
            key = segment if isinstance(segment, str) else str(segment)
            if key not in node:
                break
            node = node[key]
            out.append(key)
        elif isinstance(node, list):
            try:
                index = int(segment)
            except (TypeError, ValueError):
                break
            if not 0 <= index < len(node):
                break
            node = node[index]
            out.append(index)
        else:
            break
    return tuple(out), node


def _invalid_refs(document: Document) -> list[LintResult]:
    return [LintResult("invalid-ref", path, message, 0, document.source) for path, message in document.invalid_refs()]
