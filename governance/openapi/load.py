"""Stage 1: parse bytes into plain Python objects and resolve ``$ref`` lazily.

The parser choice lives in ``parse_text`` only (measurements in README.md):
JSON goes through the stdlib ``json`` (C, fastest); YAML through ``yaml_rs``
(Rust, YAML 1.2 core schema: ``on`` and dates stay strings, with built-in
alias-expansion limits and a nesting limit).
"""

from __future__ import annotations

import enum
import json
import os
import re
from typing import TYPE_CHECKING, Any, Final

import yaml_rs

from .errors import SpecError

if TYPE_CHECKING:
    from .jsontypes import JSON, JSONObject
    from .swagger2 import PointerMap

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
# Billion-laughs guard: total events an alias may replay across the document.
_ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=250_000, max_replay_stack_depth=64)


class _Missing(enum.Enum):
    MISSING = enum.auto()


_MISSING: Final = _Missing.MISSING  # cache sentinel (a node may be None); an enum member, so ``is`` narrows
_MAX_REF_HOPS = 64  # a $ref chain longer than this is a loop ($ref to $ref to ...)


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A document's bytes, refused with a one-line SpecError when unreadable or over `max_bytes`
    (checked before reading, and the read itself is bounded: a file may grow meanwhile)."""
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise SpecError(f"{path}: file is {size} bytes, over the limit of {max_bytes}")
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror or exc}") from None


def parse_text(data: bytes, filename: str = "<input>", max_bytes: int = DEFAULT_MAX_BYTES) -> JSON:
    """Parse YAML or JSON bytes into dicts/lists/scalars, or raise a one-line SpecError."""
    if len(data) > max_bytes:
        raise SpecError(f"{filename}: file is {len(data)} bytes, over the limit of {max_bytes}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{filename}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    looks_json = filename.lower().endswith(".json") or text.lstrip()[:1] in ("{", "[")
    value: JSON  # both parsers build nothing but dicts, lists and scalars
    if looks_json:
        try:
            value = json.loads(text)
            return value
        except RecursionError:
            raise SpecError(f"{filename}: document nested too deeply") from None
        except ValueError as exc:
            if filename.lower().endswith(".json"):
                raise SpecError(f"{filename}: not valid JSON: {exc}") from None
            # flow-style YAML can start with "{" too: fall through to the YAML parser
    _check_block_nesting(text, filename)
    try:
        value = yaml_rs.loads(text, parse_datetime=False, alias_limits=_ALIAS_LIMITS)
    except RecursionError:
        raise SpecError(f"{filename}: document nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SpecError(f"{filename}: not valid YAML: {first_line}") from None
    if "<<" in text:
        value = _apply_merge_keys(value)
    return value


# yaml_rs limits flow nesting ([[[...) but not block nesting, and overflows its stack (the process
# dies with SIGSEGV) on ~20k levels, which compact nested sequences reach in 40 KB: ``- - - - x``.
# A block node's depth is at most its column + 1, and a column is indentation plus the chain of
# ``-``/``?``/``:`` indicators before it on its line, so bounding both bounds the depth (~4k).
_INDENT_LIMIT = 4096
_CHAIN_LIMIT = 128
_DEEP_INDENT = re.compile(f"\n {{{_INDENT_LIMIT}}}")
_CHAIN_START = re.compile(r"\n *[-?:] +[-?:](?= |\n|$)")  # two indicators in a row: rare, checked closely
_CHAIN = re.compile(r"\n *((?:[-?:] +)+)")


def _check_block_nesting(text: str, filename: str) -> None:
    text = "\n" + text if text[:1] != "\n" else text
    if _DEEP_INDENT.search(text):
        raise SpecError(f"{filename}: document nested too deeply (indented over {_INDENT_LIMIT} columns)")
    for start in _CHAIN_START.finditer(text):
        chain = _CHAIN.match(text, start.start())
        if chain and sum(chain.group(1).count(c) for c in "-?:") >= _CHAIN_LIMIT:
            raise SpecError(
                f"{filename}: document nested too deeply (over {_CHAIN_LIMIT} nested collections on one line)"
            )


def _apply_merge_keys(root: JSON) -> JSON:
    """YAML 1.2 has no merge keys, but OpenAPI authors use ``<<: *anchor``: honour them.

    Iterative, so a deep document cannot exhaust the stack. Explicit keys win over merged ones.
    """
    stack: list[JSON] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            merged = node.pop("<<", None)
            if merged is not None:
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if isinstance(source, dict):
                        for key, value in source.items():
                            node.setdefault(key, value)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return root


def _split_pointer(fragment: str) -> list[str]:
    if fragment in ("", "/"):
        return [] if fragment == "" else [""]
    if not fragment.startswith("/"):
        raise SpecError(f"invalid JSON pointer {fragment!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in fragment[1:].split("/")]


def _child(node: JSON, token: str) -> JSON:
    child: JSON
    if isinstance(node, dict):
        if token in node:
            child = node[token]
            return child
        yaml_keys: dict[Any, Any] = node  # a YAML mapping may have int keys (status codes)
        if token.lstrip("-").isdigit() and int(token) in yaml_keys:
            child = yaml_keys[int(token)]
            return child
        raise KeyError(token)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        child = node[int(token)]
        return child
    raise KeyError(token)


class Spec:
    """A loaded OpenAPI document plus the files its relative ``$ref``s reach.

    Locations are strings: ``/json/pointer`` inside the main file, ``other.yaml#/pointer``
    inside another file of the spec's folder.
    """

    def __init__(
        self, root: JSON, filename: str = "<input>", base_dir: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ):
        self.filename = filename
        self.base_dir = os.path.realpath(base_dir) if base_dir else None
        self.max_bytes = max_bytes
        self._files: dict[str, JSON] = {"": root}
        # location -> node and (ref, file) -> location: the diff resolves the same component
        # $refs thousands of times (GitHub: ~17k derefs), and the documents are never mutated
        self._node_cache: dict[str, JSON] = {}
        self._ref_cache: dict[tuple[str, str], str] = {}
        # a Swagger 2.0 document is read into the 3.x model (swagger2.py); findings are mapped back to
        # its own pointers with ``original_pointers`` (the engine does it), None for a 3.x document
        self.original_pointers: PointerMap | None = None
        self.swagger_version: str | None = None
        if isinstance(root, dict) and "openapi" not in root and str(root.get("swagger", "")).startswith("2."):
            from .swagger2 import convert  # here: only 2.0 documents pay for importing it

            self.swagger_version = str(root["swagger"])
            root, self.original_pointers = convert(root)
            self._files[""] = root
        self.root: JSONObject = _validate_openapi(root, filename)
        self.version: str = self.root["openapi"]
        self.is_31 = self.version.startswith("3.1") or self.version.startswith("3.2")

    # --- navigation --------------------------------------------------------------------
    def node_at(self, location: str) -> JSON:
        node = self._node_cache.get(location, _MISSING)
        if node is _MISSING:
            node = self._node_cache[location] = self._node_at(location)
        return node

    def _node_at(self, location: str) -> JSON:
        file_key, _, fragment = location.rpartition("#") if "#" in location else ("", "", location)
        node = self._file(file_key)
        for token in _split_pointer(fragment):
            try:
                node = _child(node, token)
            except KeyError:
                raise SpecError(f"{self.filename}: $ref target {location!r} not found") from None
        return node

    def ref_location(self, ref: object, at: str) -> str:
        """Turn a ``$ref`` value found at location ``at`` into a location string."""
        if not isinstance(ref, str):
            raise SpecError(f"{self.filename}: $ref at {at} is not a string")
        current_file = at.rpartition("#")[0] if "#" in at else ""
        key = (ref, current_file)
        location = self._ref_cache.get(key)
        if location is None:
            location = self._ref_cache[key] = self._ref_location(ref, current_file)
        return location

    def _ref_location(self, ref: str, current_file: str) -> str:
        lowered = ref.lower()
        if "://" in lowered or lowered.startswith("//"):
            raise SpecError(f"{self.filename}: remote $ref refused: {ref}")
        target_file, _, fragment = ref.partition("#")
        target_file = self._relative_file(current_file, target_file) if target_file else current_file
        return f"{target_file}#{fragment}" if target_file else fragment

    def deref(self, node: JSON, location: str) -> tuple[JSON, str, str | None]:
        """Follow ``$ref`` (chains too). Returns (target, target location, first ref location)."""
        first_ref = None
        hops = 0
        while isinstance(node, dict) and "$ref" in node:
            hops += 1
            if hops > _MAX_REF_HOPS:
                raise SpecError(f"{self.filename}: $ref loop at {location}")
            location = self.ref_location(node["$ref"], location)
            if first_ref is None:
                first_ref = location
            node = self.node_at(location)
        return node, location, first_ref

    # --- files -------------------------------------------------------------------------
    def _relative_file(self, current_file: str, target: str) -> str:
        if self.base_dir is None:
            raise SpecError(f"{self.filename}: relative $ref {target!r} needs a spec loaded from a file")
        current_dir = os.path.dirname(os.path.join(self.base_dir, current_file))
        full = os.path.realpath(os.path.join(current_dir, target))
        if os.path.commonpath([full, self.base_dir]) != self.base_dir:
            raise SpecError(f"{self.filename}: $ref {target!r} leaves the spec's folder")
        return os.path.relpath(full, self.base_dir).replace(os.sep, "/")

    def _file(self, key: str) -> JSON:
        if key not in self._files:
            full = os.path.join(self.base_dir or "", key)
            try:
                with open(full, "rb") as handle:
                    data = handle.read(self.max_bytes + 1)
            except OSError as exc:
                raise SpecError(f"{self.filename}: cannot read $ref file {key}: {exc.strerror}") from None
            self._files[key] = parse_text(data, key, self.max_bytes)
        return self._files[key]


def _validate_openapi(root: JSON, filename: str) -> JSONObject:
    """``root`` itself, once it is known to be an OpenAPI 3.x document (a mapping; 2.0 is converted before)."""
    if not isinstance(root, dict):
        raise SpecError(f"{filename}: not an OpenAPI document (top level is not a mapping)")
    version = root.get("openapi")
    if version is None:
        if "swagger" in root:
            raise SpecError(
                f"{filename}: unsupported Swagger version {root['swagger']!r}, expected Swagger 2.0 or OpenAPI 3.x"
            )
        raise SpecError(f"{filename}: not an OpenAPI document (no 'openapi' field)")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(f"{filename}: unsupported OpenAPI version {version!r}, expected 3.x")
    for section in ("paths", "components", "webhooks"):
        if section in root and root[section] is not None and not isinstance(root[section], dict):
            raise SpecError(f"{filename}: '{section}' must be a mapping")
    if "info" in root and not isinstance(root["info"], dict):
        raise SpecError(f"{filename}: 'info' must be a mapping")
    return root


def load_spec(
    source: str | os.PathLike[str] | bytes, filename: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Spec:
    """Load a spec from a file path or from bytes (relative $refs need a path)."""
    if isinstance(source, (bytes, bytearray)):
        name = filename or "<input>"
        return Spec(parse_text(bytes(source), name, max_bytes), name, None, max_bytes)
    path = os.fspath(source)
    data = read_file(path, max_bytes)
    return Spec(
        parse_text(data, filename or path, max_bytes),
        filename or path,
        os.path.dirname(os.path.abspath(path)),
        max_bytes,
    )
