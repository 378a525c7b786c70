"""The document being linted: parsed data, its formats, ``$ref`` resolution and source ranges."""

from __future__ import annotations

import json
import os
import re
from functools import cached_property
from typing import Any

from ..errors import SpecError
from ..load import DEFAULT_MAX_BYTES, parse_text, read_file
from .positions import PositionMap, Range

Path = tuple[str | int, ...]

_MAX_REF_HOPS = 64
# YAML keys the core schema reads as non-strings (200:, true:, 1.5:): JavaScript keys are strings
_NON_STRING_KEY = re.compile(
    r"^[ \t-]*(?:[-+]?[0-9][0-9_.eE+-]*|true|false|null|~|True|False|Null|NULL)[ \t]*:(?:[ \t]|$)", re.M
)


def detect_formats(data: Any) -> frozenset[str]:
    """Spectral's document formats: oas2, oas3, oas3_0, oas3_1, oas3_2."""
    formats: set[str] = set()
    if not isinstance(data, dict):
        return frozenset()
    if "swagger" in data and _leading_int(data["swagger"]) == 2:
        formats.add("oas2")
    if "openapi" in data and _leading_int(data["openapi"]) == 3:
        formats.add("oas3")
        version = str(data["openapi"])
        for minor in ("0", "1", "2"):
            if re.fullmatch(rf"3\.{minor}(?:\.[0-9]*)?", version):
                formats.add(f"oas3_{minor}")
    return frozenset(formats)


def _leading_int(value: Any) -> int | None:
    m = re.match(r"\s*([-+]?\d+)", str(value) if not isinstance(value, bool) else "")
    return int(m.group(1)) if m else None


def _stringify_keys(root: Any) -> Any:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if any(type(k) is not str for k in node):
                items = [(_js_key(k), v) for k, v in node.items()]
                node.clear()
                node.update(items)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return root


def _js_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _split_pointer(fragment: str) -> list[str]:
    if fragment in ("", "/"):
        return [] if fragment == "" else [""]
    return [t.replace("~1", "/").replace("~0", "~") for t in fragment[1:].split("/")]


def _unquote_fragment(fragment: str) -> str:
    from urllib.parse import unquote

    return unquote(fragment) if "%" in fragment else fragment


_REF_IN_TEXT = re.compile(r"""["']?\$ref["']?[ \t]*:[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\s,}'"][^\n,}]*))""")


class Document:
    def __init__(self, text: str, source: str, base_dir: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.text = text
        self.source = source
        self.base_dir = os.path.realpath(base_dir) if base_dir else None
        self.max_bytes = max_bytes
        self.is_json = source.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
        data = parse_text(text.encode("utf-8"), source, max_bytes)
        if not self.is_json and _NON_STRING_KEY.search(text):
            data = _stringify_keys(data)
        self.data: Any = data
        self.formats = detect_formats(data)
        self._files: dict[str, Any] = {"": data}
        # resolve_deep results, shared: callers never mutate them (copy first). The node is kept
        # in the entry so its id cannot be reused while cached.
        self._deep_cache: dict[int, tuple[Any, Any]] = {}
        self._deep_memo: dict[int, Any] = {}

    @classmethod
    def from_file(cls, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
        raw = read_file(path, max_bytes)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SpecError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        return cls(text, path, os.path.dirname(os.path.abspath(path)), max_bytes)

    @cached_property
    def positions(self) -> PositionMap:
        return PositionMap(self.text, self.is_json)

    def range_for(self, path: Path) -> Range:
        return self.positions.range_for(list(path))

    @cached_property
    def ref_strings(self) -> list[str] | None:
        """Every ``$ref`` string, read from the text (C regex); None when one is written in a
        form the regex does not read (a folded or multi-line scalar): then walk the data."""
        refs: list[str] = []
        for match in _REF_IN_TEXT.finditer(self.text):
            if match.group(1) is not None:
                ref = match.group(1)
                if self.is_json and "\\" in ref:
                    ref = json.loads(f'"{ref}"')
            elif match.group(2) is not None:
                ref = match.group(2)
            else:
                ref = (match.group(3) or "").strip()
                if not ref or ref[0] in "|>&!*":
                    return None
            refs.append(ref)
        if self.is_json or refs:
            return refs
        return None if "$ref" in self.text else refs

    @cached_property
    def all_ref_strings(self) -> list[str]:
        refs = self.ref_strings
        return refs if refs is not None else self._walk_ref_strings()

    def _walk_ref_strings(self) -> list[str]:
        refs: list[str] = []
        stack: list[Any] = [self.data]
        while stack:
            node = stack.pop()
            if type(node) is dict:
                ref = node.get("$ref")
                if isinstance(ref, str):
                    refs.append(ref)
                stack.extend(v for v in node.values() if type(v) is dict or type(v) is list)
            elif type(node) is list:
                stack.extend(v for v in node if type(v) is dict or type(v) is list)
        return refs

    @cached_property
    def ref_targets(self) -> frozenset[Path]:
        refs = self.all_ref_strings
        targets: set[Path] = set()
        for ref in set(refs):
            if ref.startswith("#"):
                target = self.target_of(ref)
                if target is not None:
                    targets.add(target[1])
        return frozenset(targets)

    def invalid_refs(self) -> list[tuple[Path, str]]:
        """``$ref``s that cannot be resolved here (Spectral's ``invalid-ref``): a missing local
        target, an unreadable file, or a remote URL (never fetched; reported once per URL, as
        Spectral's resolver reports a failed fetch once)."""
        refs = self.all_ref_strings
        if all(ref.startswith("#") and self.target_of(ref) is not None for ref in set(refs)):
            return []
        found: list[tuple[Path, str]] = []
        reported: set[str] = set()
        stack: list[tuple[Any, Path]] = [(self.data, ())]
        while stack:
            node, path = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    problem = self._ref_problem(ref)
                    if problem and ref not in reported:
                        reported.add(ref)
                        found.append(((*path, "$ref"), problem))
                stack.extend(((v, (*path, k)) for k, v in reversed(list(node.items()))))
            elif isinstance(node, list):
                stack.extend(((v, (*path, i)) for i, v in reversed(list(enumerate(node)))))
        return found

    def _ref_problem(self, ref: str) -> str | None:
        lowered = ref.lower()
        if "://" in lowered or lowered.startswith("//"):
            return f"remote $ref not fetched (remote references are never followed): {ref}"
        if ref.startswith("#"):
            return None if self.target_of(ref) is not None else f"'{ref}' does not exist"
        return (
            None
            if self._external(ref) is not None
            else f"cannot resolve $ref '{ref}' (missing, unreadable or outside the document's folder)"
        )

    # --- $ref resolution (local pointers; relative files inside the document's folder) ------
    def target_of(self, ref: Any) -> tuple[Any, Path] | None:
        """The node a ``$ref`` string points at and its path, or None when it cannot be resolved
        here (remote, outside the folder, missing). Only refs into this document get a path."""
        if not isinstance(ref, str):
            return None
        file_part, hash_, fragment = ref.partition("#")
        if file_part:
            return None  # other files: values are resolved by ``resolve_value`` only
        node: Any = self.data
        path: list[str | int] = []
        for token in _split_pointer(_unquote_fragment(fragment)):
            if isinstance(node, dict) and token in node:
                node = node[token]
                path.append(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
                path.append(int(token))
            else:
                return None
        return node, tuple(path)

    def deref(self, node: Any) -> tuple[Any, Path | None]:
        """Follow a chain of local ``$ref``s; (node, path of the final target or None)."""
        path: Path | None = None
        hops = 0
        while isinstance(node, dict) and "$ref" in node and hops < _MAX_REF_HOPS:
            target = self.target_of(node["$ref"])
            if target is None:
                external = self._external(node["$ref"])
                if external is None:
                    return node, path
                return external, None
            node, path = target
            hops += 1
        return node, path

    def _external(self, ref: Any) -> Any:
        if not isinstance(ref, str) or self.base_dir is None:
            return None
        lowered = ref.lower()
        if "://" in lowered or lowered.startswith("//"):
            return None  # never fetched
        file_part, _, fragment = ref.partition("#")
        if not file_part:
            return None
        full = os.path.realpath(os.path.join(self.base_dir, file_part))
        if os.path.commonpath([full, self.base_dir]) != self.base_dir:
            return None
        key = os.path.relpath(full, self.base_dir)
        if key not in self._files:
            try:
                with open(full, "rb") as handle:
                    self._files[key] = parse_text(handle.read(self.max_bytes + 1), key, self.max_bytes)
            except (OSError, SpecError):
                self._files[key] = None
        node = self._files[key]
        for token in _split_pointer(_unquote_fragment(fragment)):
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return None
        return node

    def resolve_deep(self, node: Any) -> Any:
        """A copy of ``node`` with every resolvable ``$ref`` replaced by its target; a ref back
        into a node being expanded (a cycle) is left as the ``{"$ref": ...}`` mapping."""
        if not isinstance(node, (dict, list)):
            return node
        cached = self._deep_cache.get(id(node))
        if cached is None:
            cached = self._deep_cache[id(node)] = (node, self._resolve(node, set(), self._deep_memo, 0))
        return cached[1]

    def _resolve(self, node: Any, active: set[int], memo: dict[int, Any], depth: int) -> Any:
        if isinstance(node, dict):
            if "$ref" in node and isinstance(node["$ref"], str):
                target, _ = self.deref(node)
                if target is node or (isinstance(target, dict) and "$ref" in target):
                    return node
                if id(target) in active or depth > 200:
                    return node
                return self._resolve(target, active, memo, depth + 1)
            if id(node) in memo:
                return memo[id(node)]
            active.add(id(node))
            out = {k: self._resolve(v, active, memo, depth + 1) for k, v in node.items()}
            active.discard(id(node))
            if not active:
                memo[id(node)] = out
            return out
        if isinstance(node, list):
            return [self._resolve(v, active, memo, depth + 1) for v in node]
        return node
