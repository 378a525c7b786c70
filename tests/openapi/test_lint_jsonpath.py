"""Spectral's JSONPath dialect: what each ``given`` selects, served by one walk."""

from __future__ import annotations

from typing import Any

import pytest

from governance.openapi.lint.document import Document
from governance.openapi.lint.errors import RulesetError
from governance.openapi.lint.jsonpath import compile_path
from governance.openapi.lint.runner import _Walker

DOC = """
openapi: 3.0.0
info: {title: t, version: "1", description: eval(x)}
paths:
  /a:
    get:
      description: A
      responses:
        "200": {description: ok}
    post:
      tags: [x]
      responses:
        "201": {$ref: '#/components/responses/Created'}
  /b:
    parameters: []
components:
  responses:
    Created: {description: created}
  schemas:
    S:
      type: object
      properties:
        properties: {type: string, enum: [a]}
        list: {type: array}
        multi: {type: [array, "null"]}
"""


def select(path: str, resolved: bool = False, text: str = DOC) -> list[tuple[Any, ...]]:
    document = Document(text, "doc.yaml")
    found = _Walker([compile_path(path)]).walk(document, resolved)
    return [p for p, _value, _key in found.get(0, [])]


def test_root_and_member_access() -> None:
    assert select("$") == [()]
    assert select("$.info.title") == [("info", "title")]
    assert select("$['info']['title']") == [("info", "title")]


def test_wildcards_and_unquoted_member_lists() -> None:
    assert select("$.paths[*]") == [("paths", "/a"), ("paths", "/b")]
    assert select("$.paths.*[get,post]") == [("paths", "/a", "get"), ("paths", "/a", "post")]


def test_recursive_descent_by_name_and_by_filter() -> None:
    assert sorted(select("$..description")) == [
        ("components", "responses", "Created", "description"),
        ("info", "description"),
        ("paths", "/a", "get", "description"),
        ("paths", "/a", "get", "responses", "200", "description"),
    ]
    assert select('$..[?(@ && @.type=="array")]') == [("components", "schemas", "S", "properties", "list")]


def test_filters_see_property_names_and_js_semantics() -> None:
    # @property is the key the node sits under; a property *named* "properties" is excluded
    assert select("$..[?(@property !== 'properties' && @ && @.enum)]") == []
    assert select("$..[?(@property === 'list')]") == [("components", "schemas", "S", "properties", "list")]
    multi = "$..[?(@ && @.type && @.type.constructor.name === 'Array' && @.type.includes('array'))]"
    assert select(multi) == [("components", "schemas", "S", "properties", "multi")]
    assert select("$.paths[?(@.parameters)]") == [("paths", "/b")]
    assert select("$..[?(@.example !== void 0)]") == []


def test_key_selection_with_tilde() -> None:
    document = Document(DOC, "doc.yaml")
    found = _Walker([compile_path("$.paths.*~")]).walk(document, False)[0]
    assert [value for _path, value, _key in found] == ["/a", "/b"]


def test_resolved_walk_follows_refs_and_reports_the_target_location() -> None:
    unresolved = select("$.paths[*][*].responses[*].description")
    resolved = select("$.paths[*][*].responses[*].description", resolved=True)
    assert ("components", "responses", "Created", "description") not in unresolved
    assert ("components", "responses", "Created", "description") in resolved


@pytest.mark.parametrize("bad", ["paths", "$.paths[", "$..", "$[?(@.a ===)]", "$.a~.b", "$[?(@.a = 1)]"])
def test_bad_paths_are_ruleset_errors(bad: str) -> None:
    with pytest.raises(RulesetError):
        compile_path(bad)
