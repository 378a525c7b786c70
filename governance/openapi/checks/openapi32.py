"""OpenAPI 3.2 document annotations: tag ``parent`` / ``kind`` and the document's ``$self``.

Both are for tools (navigation trees, the base URI of the document), not for the wire: INFO.
What 3.2 adds on the wire is diffed where its 3.1 neighbours are: the ``query`` method and
``additionalOperations`` (diff/walk.py, as operations), ``itemSchema`` (diff/operations.py and
sites.py, as a body schema), ``deviceAuthorization`` and ``oauth2MetadataUrl`` (security_schemes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pointers import join_pointer
from .registry import spec_check

if TYPE_CHECKING:
    from ..diff import SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec


def _tags(spec: Spec) -> dict[str, tuple[JSONObject, str]]:
    """Tag name -> (tag object, pointer)."""
    tags = spec.root.get("tags")
    found: dict[str, tuple[JSONObject, str]] = {}
    if isinstance(tags, list):
        for index, tag in enumerate(tags):
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                found.setdefault(tag["name"], (tag, join_pointer("/tags", index)))
    return found


def _text(value: JSON) -> str:
    return value if isinstance(value, str) else ""


@spec_check("ConsoleOpenAPI32Check")
def openapi32_annotations(spec_diff: SpecDiff) -> None:
    base, revision = spec_diff.base.root, spec_diff.revision.root
    emit = spec_diff.emit
    if base.get("$self") != revision.get("$self"):
        emit(
            "api-self-changed",
            _text(base.get("$self")),
            _text(revision.get("$self")),
            base_pointer="/$self" if "$self" in base else None,
            revision_pointer="/$self" if "$self" in revision else None,
        )
    if base.get("tags") == revision.get("tags"):
        return
    rev_tags = _tags(spec_diff.revision)
    for name, (tag, b_loc) in _tags(spec_diff.base).items():
        if name not in rev_tags:
            continue
        rev_tag, r_loc = rev_tags[name]
        for field, rule in (("parent", "api-tag-parent-changed"), ("kind", "api-tag-kind-changed")):
            before, after = _text(tag.get(field)), _text(rev_tag.get(field))
            if before != after:
                emit(
                    rule,
                    name,
                    before,
                    after,
                    base_pointer=join_pointer(b_loc, field) if field in tag else b_loc,
                    revision_pointer=join_pointer(r_loc, field) if field in rev_tag else r_loc,
                )
