"""Spectral rulesets (YAML or JSON): extends, rules, aliases, overrides, severities by name.

Everything unusable is a :class:`RulesetError` naming the rule (or the file): an unknown
function, a JavaScript function, a bad JSONPath, bad function options or a bad JSON Schema.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import SpecError
from ..load import parse_text
from .errors import RulesetError
from .functions import RulesetFunction, core_functions
from .jsonpath import CompiledPath, compile_path
from .oas import SPECTRAL_OAS

SEVERITIES = {"error": 0, "warn": 1, "info": 2, "hint": 3, "off": -1}
SEVERITY_NAMES = {0: "error", 1: "warn", 2: "info", 3: "hint"}
_FORMATS = {"oas2", "oas3", "oas3.0", "oas3.1", "oas3.2", "oas3_0", "oas3_1", "oas3_2", "json-schema"}
RULESET_FILENAMES = (".spectral.yaml", ".spectral.yml", ".spectral.json")


@dataclass(frozen=True)
class Then:
    field: str | None
    function: RulesetFunction
    options: Any


@dataclass(frozen=True)
class AliasTarget:
    formats: frozenset[str] | None
    given: tuple[str, ...]


@dataclass
class Rule:
    name: str
    given: tuple[str, ...]
    then: tuple[Then, ...]
    severity: int = 1
    enabled: bool = True
    recommended: bool = True
    description: str | None = None
    message: str | None = None
    formats: frozenset[str] | None = None
    resolved: bool = True
    documentation_url: str | None = None

    def matches_formats(self, formats: frozenset[str]) -> bool:
        return self.formats is None or bool(self.formats & formats)


@dataclass
class Override:
    base_dir: str
    pattern: str  # a glob relative to base_dir, maybe with "#/json/pointer"
    severities: dict[str, int]


@dataclass
class Ruleset:
    rules: dict[str, Rule] = field(default_factory=dict)
    aliases: dict[str, tuple[AliasTarget, ...]] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    source: str = "<ruleset>"

    # --- aliases ---------------------------------------------------------------------------
    def expand(self, given: str, formats: frozenset[str], rule: str, _depth: int = 0) -> list[str]:
        """A ``given`` with its leading ``#Alias`` replaced (per document format)."""
        if not given.startswith("#"):
            return [given]
        if _depth > 20:
            raise RulesetError(f'rule "{rule}": alias loop in "{given}"')
        name, rest = _split_alias(given)
        targets = self.aliases.get(name)
        if targets is None:
            raise RulesetError(f'rule "{rule}": alias "#{name}" does not exist')
        out: list[str] = []
        for target in targets:
            if target.formats is not None and not target.formats & formats:
                continue
            for base in target.given:
                out.extend(self.expand(base + rest, formats, rule, _depth + 1))
        return out

    def compiled_given(self, rule: Rule, formats: frozenset[str]) -> list[CompiledPath]:
        return [compile_path(g) for given in rule.given for g in self.expand(given, formats, rule.name)]

    # --- overrides -------------------------------------------------------------------------
    def severity_for(self, rule: Rule, document_source: str, path: tuple[Any, ...]) -> int:
        severity = rule.severity if rule.enabled else -1
        if not self.overrides:
            return severity
        for override in self.overrides:
            if rule.name not in override.severities:
                continue
            file_glob, _, pointer = override.pattern.partition("#")
            if not _file_matches(override.base_dir, file_glob, document_source):
                continue
            if pointer and not _under_pointer(path, pointer):
                continue
            severity = override.severities[rule.name]
        return severity


def _split_alias(given: str) -> tuple[str, str]:
    end = 1
    while end < len(given) and (given[end].isalnum() or given[end] in "_-"):
        end += 1
    return given[1:end], given[end:]


def _file_matches(base_dir: str, pattern: str, source: str) -> bool:
    if not pattern:
        return True
    relative = os.path.relpath(os.path.abspath(source), base_dir).replace(os.sep, "/")
    return fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(source), pattern)


def _under_pointer(path: tuple[Any, ...], pointer: str) -> bool:
    tokens = (
        [t.replace("~1", "/").replace("~0", "~") for t in pointer.lstrip("/").split("/")]
        if pointer not in ("", "/")
        else []
    )
    return [str(p) for p in path[: len(tokens)]] == tokens


# --- loading ---------------------------------------------------------------------------------
def severity_value(value: Any, rule: str) -> int:
    if isinstance(value, bool):
        raise RulesetError(f'rule "{rule}": invalid severity {value!r}')
    if isinstance(value, int) and -1 <= value <= 3:
        return value
    if isinstance(value, str) and value in SEVERITIES:
        return SEVERITIES[value]
    raise RulesetError(f'rule "{rule}": invalid severity {value!r} (expected error, warn, info, hint or off)')


def load_ruleset(path: str) -> Ruleset:
    return _load_file(os.path.abspath(path), set())


def ruleset_beside(document_path: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(document_path))
    for name in RULESET_FILENAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _load_file(path: str, loading: set[str]) -> Ruleset:
    if path in loading:
        raise RulesetError(f"{path}: extends itself")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(5_000_001)
    except OSError as exc:
        raise RulesetError(f"cannot read ruleset {path}: {exc.strerror or exc}") from None
    try:
        data = parse_text(raw, path, 5_000_000)
    except SpecError as exc:
        raise RulesetError(str(exc)) from None
    return build_ruleset(data, path, loading | {path})


def build_ruleset(data: Any, source: str = "<ruleset>", _loading: set[str] | None = None) -> Ruleset:
    """A Ruleset from parsed ruleset data (the file's folder anchors extends/overrides)."""
    if not isinstance(data, dict):
        raise RulesetError(f"{source}: a ruleset must be a mapping")
    unknown = set(data) - {
        "extends", "rules", "aliases", "overrides", "formats", "functions", "functionsDir",
        "documentationUrl", "description", "parserOptions",
    }  # fmt: skip
    if unknown:
        raise RulesetError(f"{source}: unknown ruleset key {sorted(unknown)[0]!r}")
    base_dir = os.path.dirname(source) if source != "<ruleset>" else os.getcwd()
    loading = _loading or set()
    ruleset = Ruleset(source=source)
    for parent, mode in _extends_entries(data.get("extends"), source):
        inherited = _extended(parent, base_dir, loading)
        _merge(ruleset, inherited, mode)
    aliases = data.get("aliases") or {}
    if not isinstance(aliases, dict):
        raise RulesetError(f"{source}: aliases must be a mapping")
    for name, value in aliases.items():
        ruleset.aliases[str(name)] = _alias(str(name), value)
    js_functions = set(data.get("functions") or [])
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise RulesetError(f"{source}: rules must be a mapping")
    documentation_url = data.get("documentationUrl")
    ruleset_formats = _formats(data.get("formats"), source)
    for name, spec in rules.items():
        name = str(name)
        existing = ruleset.rules.get(name)
        if isinstance(spec, bool) or (isinstance(spec, str | int) and not isinstance(spec, dict)):
            if existing is None:
                raise RulesetError(f'rule "{name}": not defined by any extended ruleset')
            if spec is True:
                existing.enabled = True
            elif spec is False:
                existing.enabled = False
            else:
                severity = severity_value(spec, name)
                existing.enabled = severity != -1
                if severity != -1:
                    existing.severity = severity
            continue
        if not isinstance(spec, dict):
            raise RulesetError(f'rule "{name}": must be a mapping, a severity or a boolean')
        ruleset.rules[name] = _rule(name, spec, existing, js_functions, base_dir, ruleset_formats, documentation_url)
    for rule in ruleset.rules.values():  # validate every given now (exit 2 before linting)
        for given in rule.given:
            if not given.startswith("#"):
                _compile(given, rule.name)
            elif _split_alias(given)[0] not in ruleset.aliases:
                raise RulesetError(f'rule "{rule.name}": alias "#{_split_alias(given)[0]}" does not exist')
    for index, override in enumerate(data.get("overrides") or []):
        ruleset.overrides.extend(_override(override, index, base_dir, source))
    return ruleset


def _extends_entries(value: Any, source: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    entries = value if isinstance(value, list) else [value]
    out = []
    for entry in entries:
        if isinstance(entry, str):
            out.append((entry, "recommended"))
        elif isinstance(entry, list) and len(entry) == 2 and entry[1] in ("off", "recommended", "all"):
            out.append((str(entry[0]), str(entry[1])))
        else:
            raise RulesetError(f"{source}: invalid extends entry {entry!r}")
    return out


def _extended(name: str, base_dir: str, loading: set[str]) -> Ruleset:
    if name == "spectral:oas":
        return copy.deepcopy(_spectral_oas())  # callers change enabled/severity when extending
    if name.startswith("spectral:"):
        raise RulesetError(f'ruleset "{name}" is not supported (only spectral:oas)')
    if "://" in name:
        raise RulesetError(f'remote ruleset "{name}" refused: rulesets are read from files only')
    return _load_file(os.path.abspath(os.path.join(base_dir, name)), loading)


@functools.lru_cache(maxsize=1)
def _spectral_oas() -> Ruleset:
    return build_ruleset(copy.deepcopy(SPECTRAL_OAS), "spectral:oas")


def _merge(into: Ruleset, parent: Ruleset, mode: str) -> None:
    into.aliases.update(parent.aliases)
    into.overrides.extend(parent.overrides)
    for name, rule in parent.rules.items():
        copy = replace(rule)
        if mode == "off":
            copy.enabled = False
        elif mode == "all":
            copy.enabled = True
        else:
            copy.enabled = rule.recommended and rule.enabled
        into.rules[name] = copy


def _alias(name: str, value: Any) -> tuple[AliasTarget, ...]:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise RulesetError(f'alias "{name}": must be a JSONPath or a list of them')
        return (AliasTarget(None, tuple(value)),)
    if isinstance(value, dict) and isinstance(value.get("targets"), list):
        targets = []
        for target in value["targets"]:
            if not isinstance(target, dict) or "given" not in target:
                raise RulesetError(f'alias "{name}": each target needs "formats" and "given"')
            given = target["given"]
            given = [given] if isinstance(given, str) else given
            targets.append(AliasTarget(_formats(target.get("formats"), f'alias "{name}"'), tuple(given)))
        return tuple(targets)
    raise RulesetError(f'alias "{name}": must be a JSONPath, a list of them, or {{targets: [...]}}')


def _formats(value: Any, where: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v in _FORMATS for v in value):
        raise RulesetError(f"{where}: formats must be a list of {sorted(_FORMATS)}")
    return frozenset(v.replace(".", "_") for v in value)


def _compile(given: str, rule: str) -> CompiledPath:
    try:
        return compile_path(given)
    except RulesetError as exc:
        raise RulesetError(f'rule "{rule}": {exc}') from None


def _rule(
    name: str,
    spec: dict[str, Any],
    existing: Rule | None,
    js_functions: set[Any],
    base_dir: str,
    ruleset_formats: frozenset[str] | None,
    documentation_url: Any,
) -> Rule:
    if "given" not in spec and existing is None:
        raise RulesetError(f'rule "{name}": missing "given"')
    if "then" not in spec and existing is None:
        raise RulesetError(f'rule "{name}": missing "then"')
    given_value = spec.get("given", list(existing.given) if existing else [])
    given = [given_value] if isinstance(given_value, str) else given_value
    if not isinstance(given, list) or not given or not all(isinstance(g, str) for g in given):
        raise RulesetError(f'rule "{name}": "given" must be a JSONPath or a non-empty list of them')
    then_value = spec.get("then")
    then = existing.then if then_value is None and existing else _thens(name, then_value, js_functions, base_dir)
    severity = severity_value(spec["severity"], name) if "severity" in spec else (existing.severity if existing else 1)
    message = spec.get("message", existing.message if existing else None)
    if message is not None and not isinstance(message, str):
        raise RulesetError(f'rule "{name}": "message" must be a string')
    return Rule(
        name=name,
        given=tuple(given),
        then=then,
        severity=severity if severity != -1 else 1,
        enabled=severity != -1,
        recommended=bool(spec.get("recommended", True)),
        description=spec.get("description", existing.description if existing else None),
        message=message,
        formats=_formats(spec["formats"], f'rule "{name}"') if "formats" in spec else ruleset_formats,
        resolved=bool(spec.get("resolved", True)),
        documentation_url=spec.get("documentationUrl", documentation_url),
    )


def _thens(name: str, value: Any, js_functions: set[Any], base_dir: str) -> tuple[Then, ...]:
    entries = value if isinstance(value, list) else [value]
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or "function" not in entry:
            raise RulesetError(f'rule "{name}": each "then" needs a "function"')
        function = resolve_function(entry["function"], name, js_functions, base_dir)
        options = entry.get("functionOptions")
        if function.check_options is not None:
            problem = function.check_options(options)
            if problem:
                raise RulesetError(f'rule "{name}": {problem}')
        field_value = entry.get("field")
        if field_value is not None and not isinstance(field_value, str):
            raise RulesetError(f'rule "{name}": "field" must be a string')
        if isinstance(field_value, str) and field_value.startswith("$"):
            _compile(field_value, name)
        out.append(Then(field_value, function, options))
    return tuple(out)


def resolve_function(value: Any, rule: str, js_functions: set[Any], base_dir: str) -> RulesetFunction:
    if not isinstance(value, str):
        raise RulesetError(f'rule "{rule}": "function" must be a name')
    core = core_functions()
    if value in core:
        return core[value]
    from .functions.oas import OAS_FUNCTIONS

    if value in OAS_FUNCTIONS:
        return OAS_FUNCTIONS[value]
    if value in js_functions or os.path.isfile(os.path.join(base_dir, "functions", f"{value}.js")):
        raise RulesetError(
            f'rule "{rule}": function "{value}" is a JavaScript function, which this linter cannot run; '
            "write it in Python and name it by module path (package.module:function)"
        )
    if ":" in value or "." in value:
        return _python_function(value, rule)
    raise RulesetError(f'rule "{rule}": unknown function "{value}"')


def _python_function(value: str, rule: str) -> RulesetFunction:
    module_name, sep, attribute = value.partition(":")
    if not sep:
        module_name, _, attribute = value.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise RulesetError(f'rule "{rule}": cannot import function "{value}": {exc}') from None
    if isinstance(function, RulesetFunction):
        return function
    if not callable(function):
        raise RulesetError(f'rule "{rule}": "{value}" is not callable')
    return RulesetFunction(
        value, function, getattr(function, "accepts", None), getattr(function, "check_options", None)
    )


def _override(value: Any, index: int, base_dir: str, source: str) -> list[Override]:
    if not isinstance(value, dict) or not isinstance(value.get("files"), list):
        raise RulesetError(f"{source}: overrides[{index}] needs a 'files' list")
    rules = value.get("rules") or {}
    if not isinstance(rules, Mapping):
        raise RulesetError(f"{source}: overrides[{index}].rules must be a mapping")
    severities: dict[str, int] = {}
    for name, spec in rules.items():
        if isinstance(spec, bool):
            severities[str(name)] = 1 if spec else -1
        elif isinstance(spec, dict) and "severity" in spec:
            severities[str(name)] = severity_value(spec["severity"], str(name))
        else:
            severities[str(name)] = severity_value(spec, str(name))
    return [Override(base_dir, str(pattern), severities) for pattern in value["files"]]
