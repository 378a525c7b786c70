"""readOnly / writeOnly flips of request and response properties.

oasdiff: check_request_property_write_only_read_only.go,
check_response_optional_property_write_only_read_only.go,
check_response_required_property_write_only_read_only.go.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeAlias

from .registry import schema_check
from .sites import full_name, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON, JSONArray
    from .sites import SchemaSite

# (property name, required in base, keyword, became true, diff)
_Flip: TypeAlias = tuple[str, bool, str, bool, "SchemaDiff"]


def _required(schema: JSON) -> JSONArray:
    value = schema.get("required") if isinstance(schema, dict) else None
    return value if isinstance(value, list) else []


def _flag(schema: JSON, keyword: str) -> bool:
    return isinstance(schema, dict) and schema.get(keyword) is True


def _flips(site: SchemaSite) -> list[_Flip]:
    """(property name, required in base, keyword, became-true, diff) for each readOnly/writeOnly flip.

    Depends on the schema diff only: cached on it (shared by every operation using the schema).
    """
    cached: list[_Flip] | None = site.diff.walks.get("mutability-flips")
    if cached is None:
        cached = site.diff.walks["mutability-flips"] = list(_compute_flips(site.diff))
    return cached


def _compute_flips(root: SchemaDiff) -> Iterator[_Flip]:
    for path, name, d, parent in walk_modified(root):
        if not name:
            continue
        base, revision = d.base, d.revision
        if (
            isinstance(base, dict)
            and isinstance(revision, dict)
            and "writeOnly" not in d.changed
            and "readOnly" not in d.changed
        ):
            continue  # same flags on both sides (the usual case): nothing can flip here
        rev_props = parent.new("properties")
        if not isinstance(rev_props, dict) or rev_props.get(name) is None:
            continue  # removed properties are reported by the property-removed checks
        required = name in _required(parent.base)
        for keyword in ("writeOnly", "readOnly"):
            before, after = _flag(d.base, keyword), _flag(d.revision, keyword)
            if before != after:
                yield full_name(path, name), required, keyword, after, d


_WORDS = {
    ("writeOnly", True): "write-only",
    ("writeOnly", False): "not-write-only",
    ("readOnly", True): "read-only",
    ("readOnly", False): "not-read-only",
}


def _emit(site: SchemaSite, rule: str, args: tuple[str | None, ...], keyword: str, d: SchemaDiff) -> None:
    base_ptr, rev_ptr = d.pointer_of(keyword)
    site.emit(rule, *args, base_pointer=base_ptr or d.base_pointer, revision_pointer=rev_ptr or d.revision_pointer)


@schema_check("RequestPropertyWriteOnlyReadOnlyCheck", kinds=("request-body",))
def request_property_write_only_read_only(site: SchemaSite) -> None:
    if site.kind != "request-body":
        return
    for name, required, keyword, became, d in _flips(site):
        kind = "required" if required else "optional"
        _emit(site, f"request-{kind}-property-became-{_WORDS[keyword, became]}", (name,), keyword, d)


@schema_check(
    "ResponseRequiredPropertyWriteOnlyReadOnlyCheck",
    "ResponseOptionalPropertyWriteOnlyReadOnlyCheck",
    kinds=("response-body",),
)
def response_property_write_only_read_only(site: SchemaSite) -> None:
    if site.kind != "response-body":
        return
    wanted = site.op.spec_diff.options.selected_checks
    for name, required, keyword, became, d in _flips(site):
        check = (
            "ResponseRequiredPropertyWriteOnlyReadOnlyCheck"
            if required
            else "ResponseOptionalPropertyWriteOnlyReadOnlyCheck"
        )
        if wanted is not None and check not in wanted:
            continue
        kind = "required" if required else "optional"
        _emit(site, f"response-{kind}-property-became-{_WORDS[keyword, became]}", (name, site.status), keyword, d)
