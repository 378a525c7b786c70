"""Servers at the document, path item and operation level (beyond oasdiff).

Each level is compared where it is written (a path item or operation without ``servers``
inherits the level above: OpenAPI 3.x "Server Object"); a document without servers is served
from ``/``. Servers are matched by URL template: a changed template is one server removed and
one added. For a server kept, its variables' ``enum`` values and ``default`` are compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pointers import join_pointer
from .registry import spec_check

if TYPE_CHECKING:
    from ..diff import SpecDiff
    from ..jsontypes import JSON, JSONObject

_ROOT_DEFAULT: list[JSON] = [{"url": "/"}]


def _servers(value: JSON) -> list[JSONObject] | None:
    """The servers written at one level, None when the level writes none (it inherits)."""
    if not isinstance(value, list) or not value:
        return None
    return [s for s in value if isinstance(s, dict) and isinstance(s.get("url"), str)]


def _by_url(servers: list[JSONObject], location: str) -> dict[str, tuple[JSONObject, str]]:
    found: dict[str, tuple[JSONObject, str]] = {}
    for index, server in enumerate(servers):
        url = str(server["url"])
        found.setdefault(url.rstrip("/") or "/", (server, join_pointer(location, "servers", index)))
    return found


def _compare(
    spec_diff: SpecDiff,
    before: list[JSONObject],
    after: list[JSONObject],
    b_loc: str,
    r_loc: str,
    operation: str = "",
    path: str = "",
) -> None:
    emit = spec_diff.emit
    old, new = _by_url(before, b_loc), _by_url(after, r_loc)
    where = {"operation": operation, "path": path}
    for url, (server, pointer) in old.items():
        if url not in new:
            emit("api-server-removed", server["url"], base_pointer=pointer, revision_pointer=None, **where)
            continue
        rev_server, rev_pointer = new[url]
        _variables(spec_diff, str(server["url"]), server, rev_server, pointer, rev_pointer, where)
    for url, (server, pointer) in new.items():
        if url not in old:
            emit("api-server-added", server["url"], base_pointer=None, revision_pointer=pointer, **where)


def _variables(
    spec_diff: SpecDiff, url: str, base: JSONObject, rev: JSONObject, b_loc: str, r_loc: str, where: dict[str, str]
) -> None:
    old_vars = found if isinstance(found := base.get("variables"), dict) else {}
    new_vars = found if isinstance(found := rev.get("variables"), dict) else {}
    for name, old in old_vars.items():
        new = new_vars.get(name)
        if not isinstance(old, dict) or not isinstance(new, dict) or old == new:
            continue
        b_var, r_var = join_pointer(b_loc, "variables", name), join_pointer(r_loc, "variables", name)
        old_enum = old.get("enum") if isinstance(old.get("enum"), list) else None
        new_enum = new.get("enum") if isinstance(new.get("enum"), list) else None
        if old_enum is not None and new_enum is not None:
            for value in old_enum:
                if value not in new_enum:
                    spec_diff.emit(
                        "api-server-variable-enum-value-removed",
                        value,
                        name,
                        url,
                        base_pointer=join_pointer(b_var, "enum"),
                        revision_pointer=join_pointer(r_var, "enum"),
                        **where,
                    )
            for value in new_enum:
                if value not in old_enum:
                    spec_diff.emit(
                        "api-server-variable-enum-value-added",
                        value,
                        name,
                        url,
                        base_pointer=join_pointer(b_var, "enum"),
                        revision_pointer=join_pointer(r_var, "enum"),
                        **where,
                    )
        if old.get("default") != new.get("default"):
            spec_diff.emit(
                "api-server-variable-default-changed",
                name,
                url,
                old.get("default"),
                new.get("default"),
                base_pointer=join_pointer(b_var, "default"),
                revision_pointer=join_pointer(r_var, "default"),
                **where,
            )


@spec_check("ConsoleServersCheck")
def servers_changed(spec_diff: SpecDiff) -> None:
    base_root, rev_root = spec_diff.base.root, spec_diff.revision.root
    base_doc = _servers(base_root.get("servers")) or _servers(_ROOT_DEFAULT) or []
    rev_doc = _servers(rev_root.get("servers")) or _servers(_ROOT_DEFAULT) or []
    if base_doc != rev_doc:
        _compare(spec_diff, base_doc, rev_doc, "", "")
    for pair in spec_diff.paths_modified:
        b_path, r_path = _servers(pair.base.get("servers")), _servers(pair.revision.get("servers"))
        if b_path is not None or r_path is not None:
            before, after = b_path or base_doc, r_path or rev_doc
            if before != after:
                _compare(spec_diff, before, after, pair.base_pointer, pair.revision_pointer, path=pair.path)
        for op in pair.modified:
            b_op, r_op = _servers(op.base.get("servers")), _servers(op.revision.get("servers"))
            if b_op is None and r_op is None:
                continue
            before, after = b_op or b_path or base_doc, r_op or r_path or rev_doc
            if before != after:
                _compare(
                    spec_diff, before, after, op.base_pointer, op.revision_pointer, operation=op.method, path=op.path
                )
