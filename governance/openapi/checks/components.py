"""Components and path items: schemas removed from components, parameters added at the
path-item level (they apply to every operation of the path).

oasdiff: check_components_schemas_removed.go, check_new_request_non_path_default_parameter.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diff import HTTP_METHODS
from ..pointers import join_pointer
from .registry import spec_check

if TYPE_CHECKING:
    from ..diff import SpecDiff
    from ..jsontypes import JSONObject
    from ..load import Spec


def _component(spec: Spec, section: str) -> JSONObject:
    components = spec.root.get("components")
    value = components.get(section) if isinstance(components, dict) else None
    return value if isinstance(value, dict) else {}


@spec_check("APIComponentsSchemaRemovedCheck")
def schema_removed(spec_diff: SpecDiff) -> None:
    base, revision = _component(spec_diff.base, "schemas"), _component(spec_diff.revision, "schemas")
    if base is revision:
        return
    for name in base:
        if name not in revision:
            spec_diff.emit(
                "api-schema-removed",
                name,
                base_pointer=join_pointer("/components/schemas", name),
                revision_pointer=None,
            )


def _path_params(spec: Spec, item: JSONObject, location: str) -> list[tuple[str, str, JSONObject, str]]:
    params = item.get("parameters")
    result: list[tuple[str, str, JSONObject, str]] = []
    if not isinstance(params, list):
        return result
    for index, node in enumerate(params):
        param, loc, _ = spec.deref(node, join_pointer(location, "parameters", index))
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            result.append((str(param.get("in", "")), param["name"], param, loc))
    return result


@spec_check("NewRequestNonPathDefaultParameterCheck")
def new_path_item_parameter(spec_diff: SpecDiff) -> None:
    for pair in spec_diff.paths_modified:
        if pair.base.get("parameters") == pair.revision.get("parameters"):
            continue
        methods = [m for m in HTTP_METHODS if isinstance(pair.revision.get(m), dict)]
        if not methods:
            continue
        base_keys = {(i, n) for i, n, _p, _l in _path_params(spec_diff.base, pair.base, pair.base_pointer)}
        for in_, name, param, location in _path_params(spec_diff.revision, pair.revision, pair.revision_pointer):
            if in_ == "path" or (in_, name) in base_keys:
                continue
            rule = (
                "new-required-request-default-parameter-to-existing-path"
                if param.get("required") is True
                else "new-optional-request-default-parameter-to-existing-path"
            )
            for method in methods:
                spec_diff.emit(
                    rule,
                    in_,
                    name,
                    operation=method.upper(),
                    path=pair.path,
                    base_pointer=None,
                    revision_pointer=location,
                )
