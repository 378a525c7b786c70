"""Filter expressions of Spectral's JSONPath (``[?(...)]``): a JavaScript subset, parsed once
into a tuple AST and compiled to closures. JavaScript semantics where rulesets rely on them:
truthiness, ``undefined`` vs ``null``, ``==`` vs ``===``, ``.constructor.name``, ``.includes()``."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from typing import Any

from .errors import RulesetError


class _Undefined:
    """JavaScript's ``undefined`` (distinct from ``null`` = None)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()

# A filter is called with (value, key, parent, path-as-tuple-or-None).
Filter = Callable[[Any, Any, Any, Any], bool]


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    |(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    |(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[!<>()\[\].,])
    |(?P<at>@[A-Za-z]*)
    |(?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    |(?P<regex>/(?:[^/\\\n]|\\.)+/[a-z]*)
    )""",
    re.X,
)


class Parser:
    """Pratt parser producing a tuple AST."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        prev_kind = ""
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise RulesetError(f"cannot parse filter expression {text!r} at {pos}")
            kind = m.lastgroup or ""
            value = m.group(kind)
            if kind == "regex" and prev_kind in ("num", "str", "at", "name") or (kind == "regex" and prev_kind == ")"):
                raise RulesetError(f"cannot parse filter expression {text!r} at {pos}")
            self.tokens.append((kind, value))
            prev_kind = value if kind == "op" and value == ")" else kind
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("eof", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise RulesetError(f"expected {value!r} in filter expression {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> tuple[Any, ...]:
        node = self.expr(0)
        if self.peek()[0] != "eof":
            raise RulesetError(f"unexpected {self.peek()[1]!r} in filter expression {self.text!r}")
        return node

    _BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "===": 3, "!==": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4}

    def expr(self, min_prec: int) -> tuple[Any, ...]:
        left = self.unary()
        while True:
            kind, value = self.peek()
            prec = self._BINARY.get(value) if kind in ("op", "name") else None
            if prec is None or prec < min_prec or prec == 0:
                return left
            self.take()
            right = self.expr(prec + 1)
            left = ("bin", value, left, right)

    def unary(self) -> tuple[Any, ...]:
        kind, value = self.peek()
        if value == "!" and kind == "op":
            self.take()
            return ("not", self.unary())
        if kind == "name" and value in ("typeof", "void"):
            self.take()
            return (value, self.unary())
        return self.postfix(self.primary())

    def primary(self) -> tuple[Any, ...]:
        kind, value = self.take()
        if kind == "num":
            return ("lit", float(value) if "." in value or "e" in value.lower() else int(value))
        if kind == "str":
            return ("lit", _js_string(value[1:-1]))
        if kind == "regex":
            body, _, flags = value[1:].rpartition("/")
            py_flags = re.I if "i" in flags else 0
            py_flags |= re.M if "m" in flags else 0
            try:
                return ("lit", re.compile(body, py_flags))
            except re.error as exc:
                raise RulesetError(f"bad regular expression {value}: {exc}") from None
        if kind == "at":
            names = {"@": "value", "@property": "key", "@parent": "parent", "@parentProperty": "parentkey"}
            names |= {"@path": "path", "@root": "root"}
            if value not in names:
                raise RulesetError(f"unsupported {value!r} in filter expression {self.text!r}")
            return ("ctx", names[value])
        if kind == "name":
            consts = {"true": True, "false": False, "null": None, "undefined": UNDEFINED}
            if value in consts:
                return ("lit", consts[value])
            raise RulesetError(f"unsupported name {value!r} in filter expression {self.text!r}")
        if value == "(":
            node = self.expr(0)
            self.take(")")
            return node
        raise RulesetError(f"unexpected {value!r} in filter expression {self.text!r}")

    def postfix(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        while True:
            kind, value = self.peek()
            if value == "." and kind == "op":
                self.take()
                name_kind, name = self.take()
                if name_kind not in ("name",):
                    raise RulesetError(f"expected a name after '.' in {self.text!r}")
                node = ("get", node, ("lit", name))
            elif value == "[" and kind == "op":
                self.take()
                key = self.expr(0)
                self.take("]")
                node = ("get", node, key)
            elif value == "(" and kind == "op" and node[0] == "get":
                self.take()
                args = []
                if self.peek()[1] != ")":
                    args.append(self.expr(0))
                    while self.peek()[1] == ",":
                        self.take()
                        args.append(self.expr(0))
                self.take(")")
                node = ("call", node[1], node[2], tuple(args))
            else:
                return node


def _js_string(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def property_names(node: tuple[Any, ...]) -> tuple[frozenset[str] | None, tuple[Any, ...] | None]:
    """Split ``@property === 'x' [&& rest]`` into the name {x} and the rest (None if nothing)."""

    def names_of(n: tuple[Any, ...]) -> frozenset[str] | None:
        if n[0] == "bin" and n[1] in ("===", "=="):
            for a, b in ((n[2], n[3]), (n[3], n[2])):
                if a == ("ctx", "key") and b[0] == "lit" and isinstance(b[1], str):
                    return frozenset([b[1]])
        return None

    found = names_of(node)
    if found is not None:
        return found, None
    if node[0] == "bin" and node[1] == "&&":
        found = names_of(node[2])
        if found is not None:
            return found, node[3]
    return None, node


def guard(node: tuple[Any, ...]) -> tuple[frozenset[str] | None, bool]:
    """Keys one of which a dict must hold for the filter to pass (None: unknown), and whether
    the filter needs an object at all. Lets the walk skip most nodes without evaluating."""
    keys = _needed_keys(node)
    return keys, keys is not None or _needs_object(node)


def _needed_keys(node: tuple[Any, ...]) -> frozenset[str] | None:
    op = node[0]
    if op == "bin" and node[1] == "&&":
        left, right = _needed_keys(node[2]), _needed_keys(node[3])
        candidates = [k for k in (left, right) if k is not None]
        return min(candidates, key=len) if candidates else None
    if op == "bin" and node[1] == "||":
        left, right = _needed_keys(node[2]), _needed_keys(node[3])
        return left | right if left is not None and right is not None else None
    if op == "bin" and node[1] in ("!==", "!=") and node[3] in (("void", ("lit", 0)), ("lit", UNDEFINED)):
        return _member_of_value(node[2])
    if op in ("get", "call"):
        return _member_of_value(node)
    if op == "bin" and node[1] in ("===", "==") and node[3][0] == "lit" and node[3][1] not in (None, UNDEFINED):
        return _member_of_value(node[2])
    return None


def _member_of_value(node: tuple[Any, ...]) -> frozenset[str] | None:
    """``@.k`` / ``@.k.x`` / ``@['k']...`` -> {'k'}: truthy only if @ has key k."""
    while node[0] in ("get", "call") and node[1] != ("ctx", "value"):
        node = node[1]
    if node[0] in ("get", "call") and node[1] == ("ctx", "value") and node[2][0] == "lit":
        name = node[2][1]
        if isinstance(name, str) and name not in ("length", "constructor"):
            return frozenset([name])
    return None


def _needs_object(node: tuple[Any, ...]) -> bool:
    return node[0] == "bin" and node[1] == "&&" and (node[2] == ("ctx", "value") or _needs_object(node[2]))


def _truthy(v: Any) -> bool:
    if v is UNDEFINED or v is None or v is False:
        return False
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    if isinstance(v, str):
        return v != ""
    return True


def js_type(v: Any) -> str:
    if v is UNDEFINED:
        return "undefined"
    if v is None or isinstance(v, (dict, list)):
        return "object"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"


def _strict_eq(a: Any, b: Any) -> bool:
    ta, tb = js_type(a), js_type(b)
    if ta != tb:
        return False
    if ta == "object":
        return a is b
    return bool(a == b)


def _loose_eq(a: Any, b: Any) -> bool:
    if (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED):
        return True
    if a is None or a is UNDEFINED or b is None or b is UNDEFINED:
        return False
    ta, tb = js_type(a), js_type(b)
    if ta == tb:
        return _strict_eq(a, b)
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def _get(obj: Any, key: Any) -> Any:
    if isinstance(obj, dict):
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            key = str(int(key)) if float(key).is_integer() else str(key)
        if key in obj:
            return obj[key]
        if key == "constructor":
            return _Constructor("Object")
        return UNDEFINED
    if isinstance(obj, list):
        if key == "length":
            return len(obj)
        if key == "constructor":
            return _Constructor("Array")
        try:
            index = int(key)
        except (TypeError, ValueError):
            return UNDEFINED
        return obj[index] if 0 <= index < len(obj) else UNDEFINED
    if isinstance(obj, str):
        if key == "length":
            return len(obj)
        if key == "constructor":
            return _Constructor("String")
        return UNDEFINED
    if isinstance(obj, _Constructor):
        return obj.name if key == "name" else UNDEFINED
    if isinstance(obj, bool):
        return _Constructor("Boolean") if key == "constructor" else UNDEFINED
    if isinstance(obj, (int, float)):
        return _Constructor("Number") if key == "constructor" else UNDEFINED
    return UNDEFINED


class _Constructor:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def _call(obj: Any, method: Any, args: list[Any]) -> Any:
    if method == "includes" and isinstance(obj, (list, str)):
        if not args:
            return False
        if isinstance(obj, str):
            return isinstance(args[0], str) and args[0] in obj
        return any(_strict_eq(x, args[0]) for x in obj)
    if method == "test" and isinstance(obj, re.Pattern):
        return bool(args) and isinstance(args[0], str) and obj.search(args[0]) is not None
    if method == "match" and isinstance(obj, str) and args and isinstance(args[0], re.Pattern):
        return args[0].search(obj) is not None or None
    if method in ("startsWith", "endsWith") and isinstance(obj, str) and args and isinstance(args[0], str):
        return obj.startswith(args[0]) if method == "startsWith" else obj.endswith(args[0])
    if method == "hasOwnProperty" and isinstance(obj, dict) and args:
        return args[0] in obj
    return UNDEFINED


_Eval = Callable[[dict[str, Any]], Any]


def _compile_node(node: tuple[Any, ...]) -> _Eval:
    op = node[0]
    if op == "lit":
        value = node[1]
        return lambda ctx: value
    if op == "ctx":
        name = node[1]
        if name == "path":
            return lambda ctx: _path_string(ctx["path"])
        return lambda ctx: ctx[name]
    if op == "get":
        target, key = _compile_node(node[1]), _compile_node(node[2])
        return lambda ctx: _get(target(ctx), key(ctx))
    if op == "call":
        target, method = _compile_node(node[1]), _compile_node(node[2])
        args = [_compile_node(a) for a in node[3]]
        return lambda ctx: _call(target(ctx), method(ctx), [a(ctx) for a in args])
    if op == "not":
        inner = _compile_node(node[1])
        return lambda ctx: not _truthy(inner(ctx))
    if op == "typeof":
        inner = _compile_node(node[1])
        return lambda ctx: js_type(inner(ctx))
    if op == "void":
        inner = _compile_node(node[1])
        return lambda ctx: (inner(ctx), UNDEFINED)[1]
    if op == "bin":
        sym, left, right = node[1], _compile_node(node[2]), _compile_node(node[3])
        if sym == "&&":
            return lambda ctx: (lambda lv: right(ctx) if _truthy(lv) else lv)(left(ctx))
        if sym == "||":
            return lambda ctx: (lambda lv: lv if _truthy(lv) else right(ctx))(left(ctx))
        if sym == "===":
            return lambda ctx: _strict_eq(left(ctx), right(ctx))
        if sym == "!==":
            return lambda ctx: not _strict_eq(left(ctx), right(ctx))
        if sym == "==":
            return lambda ctx: _loose_eq(left(ctx), right(ctx))
        if sym == "!=":
            return lambda ctx: not _loose_eq(left(ctx), right(ctx))
        if sym == "in":
            return lambda ctx: isinstance(right(ctx), dict) and str(left(ctx)) in right(ctx)
        compare: dict[str, Callable[[Any, Any], Any]] = {
            "<": operator.lt,
            "<=": operator.le,
            ">": operator.gt,
            ">=": operator.ge,
        }
        fn = compare[sym]

        def relational(ctx: dict[str, Any]) -> bool:
            a, b = left(ctx), right(ctx)
            try:
                if isinstance(a, str) and isinstance(b, str):
                    return bool(fn(a, b))
                return bool(fn(float(a), float(b)))
            except (TypeError, ValueError):
                return False

        return relational
    raise RulesetError(f"unsupported expression {op}")


def compile_expr(node: tuple[Any, ...]) -> Filter:
    evaluate = _compile_node(node)

    def run(value: Any, key: Any, parent: Any, path: Any) -> bool:
        ctx = {"value": value, "key": key, "parent": parent, "path": path, "parentkey": UNDEFINED, "root": UNDEFINED}
        try:
            return _truthy(evaluate(ctx))
        except (TypeError, ValueError, AttributeError):
            return False

    return run


def _path_string(path: Any) -> str:
    tokens = list(path) if path is not None else []
    return "$" + "".join(f"[{t}]" if isinstance(t, int) else f"['{t}']" for t in tokens)
