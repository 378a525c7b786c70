"""Source ranges for result paths, computed lazily (only for the paths of results).

Spectral reports each result with the 0-based line/character range of its node: in JSON the
value's token span; in YAML from just after ``key:`` (collections) or the scalar's start, to the
end of the node's last scalar. Parsing with positions (a YAML compose) costs 20x our parse, so
instead a container is indexed on first use: JSON with the C decoder (``raw_decode`` gives each
value's end), block YAML by its lines at the container's indentation (a C regex scan). Each
container is indexed once, so a lookup costs its depth. Flow-style YAML collections (``{...}``,
``[...]``) are not entered: their results get the range of the collection (the closest node),
as Spectral does for paths it cannot find.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import Any

Position = tuple[int, int]
Range = tuple[Position, Position]

_WS = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()
_scanstring: Any = json.decoder.scanstring  # type: ignore[attr-defined]


class PositionMap:
    def __init__(self, text: str, is_json: bool):
        self.text = text
        self.is_json = is_json
        self._line_starts: list[int] | None = None
        self._json_index: dict[int, dict[str, tuple[int, int]] | list[tuple[int, int]]] = {}
        self._yaml_index: dict[tuple[int, int], Any] = {}
        self._ends: dict[tuple[int, int, bool], int] = {}
        self._json_ends: dict[int, int] = {}

    # --- public ---------------------------------------------------------------------------
    def range_for(self, path: Sequence[str | int]) -> Range:
        try:
            start, end = self._json_span(path) if self.is_json else self._yaml_span(path)
        except (ValueError, IndexError, KeyError):
            start, end = 0, 0
        return self.position(start), self.position(end)

    def position(self, offset: int) -> Position:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line, offset - self._line_starts[line]

    # --- JSON -----------------------------------------------------------------------------
    def _json_span(self, path: Sequence[str | int]) -> tuple[int, int]:
        start = _WS.match(self.text, 0).end()  # type: ignore[union-attr]
        if not path:
            return start, self._json_end(start)
        end = start
        for segment in path:
            index = self._json_children(start)
            if isinstance(index, dict):
                span = index.get(str(segment))
            else:
                try:
                    span = index[int(segment)]
                except (ValueError, IndexError):
                    span = None
            if span is None:
                break
            start, end = span
        return start, end

    def _json_end(self, start: int) -> int:
        end = self._json_ends.get(start)
        if end is None:
            end = self._json_ends[start] = int(_decoder.raw_decode(self.text, start)[1])
        return end

    def _json_children(self, start: int) -> dict[str, tuple[int, int]] | list[tuple[int, int]]:
        cached = self._json_index.get(start)
        if cached is not None:
            return cached
        text = self.text
        opener = text[start]
        index: dict[str, tuple[int, int]] | list[tuple[int, int]]
        if opener == "{":
            obj: dict[str, tuple[int, int]] = {}
            pos = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
            while text[pos] != "}":
                key, pos = _scanstring(text, pos + 1)
                pos = _WS.match(text, pos).end() + 1  # type: ignore[union-attr]  # the ':'
                value_start = _WS.match(text, pos).end()  # type: ignore[union-attr]
                value_end = self._json_end(value_start)
                obj[key] = (value_start, value_end)
                pos = _WS.match(text, value_end).end()  # type: ignore[union-attr]
                if text[pos] == ",":
                    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            index = obj
        elif opener == "[":
            items: list[tuple[int, int]] = []
            pos = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
            while text[pos] != "]":
                value_end = self._json_end(pos)
                items.append((pos, value_end))
                pos = _WS.match(text, value_end).end()  # type: ignore[union-attr]
                if text[pos] == ",":
                    pos = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            index = items
        else:
            index = {}
        self._json_index[start] = index
        return index

    # --- block YAML -----------------------------------------------------------------------
    # A node is (kind, start, end, indent): kind "map"/"seq"/"scalar"/"flow"; a collection's
    # entries sit at column ``indent`` from offset ``start`` (mid-line for a sequence item).
    def _yaml_span(self, path: Sequence[str | int]) -> tuple[int, int]:
        text = self.text
        first = re.compile(r"^[ ]*(?![ #\n]|---|\.\.\.)", re.M).search(text)
        if first is None:
            return 0, 0
        pos = first.end()
        node = self._node_at(pos, len(text), first.end() - first.start())
        span = (0 if path == [] or not path else node[1], self._last_content(node[1], node[2]))
        span = (0, span[1])
        for segment in path:
            child = self._child(node, segment)
            if child is None:
                break
            node, span = child
        return span

    def _node_at(self, pos: int, limit: int, indent: int) -> tuple[str, int, int, int]:
        text = self.text
        c = text[pos : pos + 1]
        if c in ("{", "["):
            return ("flow", pos, limit, indent)
        if c == "-" and text[pos + 1 : pos + 2] in (" ", "\n", ""):
            return ("seq", pos, limit, indent)
        line_end = text.find("\n", pos)
        line = text[pos : line_end if line_end >= 0 else len(text)]
        if _key_of(line) is not None:
            return ("map", pos, limit, indent)
        return ("scalar", pos, limit, indent)

    def _block_end(self, line_start_next: int, indent: int, allow_seq_at_indent: bool) -> int:
        """Offset where a block that starts after a key at column ``indent`` ends."""
        key = (line_start_next, indent, allow_seq_at_indent)
        found = self._ends.get(key)
        if found is None:
            pattern = self._end_pattern(indent, allow_seq_at_indent)
            m = pattern.search(self.text, max(line_start_next - 1, 0))
            found = self._ends[key] = m.start() + 1 if m else len(self.text)
        return found

    _end_patterns: dict[tuple[int, bool], re.Pattern[str]] = {}

    def _end_pattern(self, indent: int, allow_seq: bool) -> re.Pattern[str]:
        key = (indent, allow_seq)
        pattern = self._end_patterns.get(key)
        if pattern is None:
            seq = r"(?!- |-\n)" if allow_seq else ""
            # a non-blank, non-comment line indented at most ``indent`` columns (the literal
            # "\n" prefix lets the regex engine skip to line starts)
            pattern = re.compile(rf"\n {{0,{indent}}}(?=[^ \n\r#]){seq}")
            self._end_patterns[key] = pattern
        return pattern

    def _entries(self, node: tuple[str, int, int, int]) -> Any:
        cache_key = (node[1], node[3])
        cached = self._yaml_index.get(cache_key)
        if cached is not None:
            return cached
        kind, start, end, indent = node
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        column = start - line_start
        entries: Any
        if kind == "map":
            entries = {}
            positions = [start] + [
                m.end() for m in re.compile(rf"\n {{{column}}}(?=[^ #\n])").finditer(text, start, end)
            ]
            for p in positions:
                line_end = text.find("\n", p)
                line_end = len(text) if line_end < 0 or line_end > end else line_end
                parsed = _key_of(text[p:line_end])
                if parsed is None:
                    continue
                key, after_colon = parsed
                entries.setdefault(key, (p, p + after_colon, column))
        else:
            entries = [
                m.end() - 1
                for m in re.compile(rf"(?:^|\n) {{{column}}}-(?= |\n)").finditer(text, max(line_start - 1, 0), end)
                if m.end() - 1 >= start
            ]
            entries = [p for p in entries if p >= start] or [start]
        self._yaml_index[cache_key] = entries
        return entries

    def _child(
        self, node: tuple[str, int, int, int], segment: str | int
    ) -> tuple[tuple[str, int, int, int], tuple[int, int]] | None:
        kind = node[0]
        text = self.text
        if kind == "map":
            entries = self._entries(node)
            hit = entries.get(str(segment))
            if hit is None:
                return None
            key_start, colon_end, column = hit
            line_end = text.find("\n", colon_end)
            line_end = len(text) if line_end < 0 else line_end
            rest = text[colon_end:line_end]
            stripped = rest.strip()
            if stripped and not stripped.startswith("#") and stripped[0] not in "|>":
                value_start = colon_end + len(rest) - len(rest.lstrip())
                if stripped[0] in "&!":  # anchor/tag before the value
                    return None
                end = self._block_end(line_end + 1, column, False) if stripped[0] not in "{[" else line_end
                child = self._node_at(value_start, end, column)
                span_end = self._last_content(value_start, end)
                if child[0] == "scalar":
                    return child, (value_start, span_end)
                return child, (colon_end, span_end)
            end = self._block_end(line_end + 1, column, True)
            if stripped[:1] in ("|", ">"):
                return ("scalar", colon_end, end, column), (
                    value_start_of(text, colon_end),
                    self._last_content(colon_end, end),
                )
            first = re.compile(r"^[ ]*(?=[^ #\n])", re.M).search(text, line_end + 1, end)
            if first is None:
                return ("scalar", colon_end, colon_end, column), (colon_end, colon_end)
            child = self._node_at(first.end(), end, first.end() - first.start())
            return child, (colon_end, self._last_content(first.end(), end))
        if kind == "seq":
            entries = self._entries(node)
            try:
                index = int(segment)
            except ValueError:
                return None
            if not 0 <= index < len(entries):
                return None
            dash = entries[index]
            item_end = entries[index + 1] if index + 1 < len(entries) else node[2]
            item_end = text.rfind("\n", 0, item_end) + 1 if index + 1 < len(entries) else item_end
            m = re.compile(r"-[ \t]*(?:\n[ ]*)?").match(text, dash)
            content = m.end() if m else dash + 1
            while text.startswith("#", content):
                nl = text.find("\n", content)
                content = re.compile(r"[ \n]*").match(text, nl).end()  # type: ignore[union-attr]
            line_start = text.rfind("\n", 0, content) + 1
            child = self._node_at(content, item_end, content - line_start)
            return child, (content, self._last_content(content, item_end))
        return None

    def _last_content(self, start: int, end: int) -> int:
        """End offset of the last non-blank, non-comment line content in [start, end)."""
        text = self.text
        pos = end
        while pos > start:
            line_start = text.rfind("\n", start, pos - 1) + 1 if pos - 1 > start else start
            line_start = max(line_start, start)
            line = text[line_start:pos].rstrip()
            if line.strip() and not line.lstrip().startswith("#"):
                return line_start + len(line)
            pos = line_start - 1 if line_start > start else start
        return start


def value_start_of(text: str, pos: int) -> int:
    return pos + len(text[pos:]) - len(text[pos:].lstrip(" "))


_PLAIN_KEY = re.compile(r"(?:\? )?([^\s'\"#][^\n]*?)[ \t]*:(?:[ \t]|$)")


def _key_of(line: str) -> tuple[str, int] | None:
    """(key, offset just after its ':') when the line starts with a mapping key."""
    if not line:
        return None
    quote = line[0]
    if quote in ("'", '"'):
        i = 1
        chars = []
        while i < len(line):
            c = line[i]
            if quote == '"' and c == "\\" and i + 1 < len(line):
                chars.append(line[i : i + 2])
                i += 2
                continue
            if c == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    chars.append("'")
                    i += 2
                    continue
                break
            chars.append(c)
            i += 1
        rest = line[i + 1 :]
        stripped = rest.lstrip(" \t")
        if not stripped.startswith(":"):
            return None
        body = "".join(chars)
        key = json.loads(f'"{body}"') if quote == '"' else body
        return key, i + 1 + (len(rest) - len(stripped)) + 1
    if line.startswith("- ") or line == "-":
        return None
    m = _PLAIN_KEY.match(line)
    if m is None:
        return None
    key = m.group(1)
    if key.startswith(("{", "[")):
        return None
    return key, m.end() if line[m.end() - 1 : m.end()] == ":" else m.end() - 1
