"""Each core function, through a one-rule ruleset, with Spectral's messages and paths."""

from __future__ import annotations

from typing import Any

import pytest

from governance.openapi.lint import Document, build_ruleset, lint

DOC = """
openapi: 3.0.0
info:
  title: Pets
  version: "1.0"
  x-empty: ""
  x-count: 3
  x-list: [b, a]
  x-map: {b: 1, a: 2}
  x-tags: [{name: b}, {name: a}]
  x-name: petStore
  x-both: {value: 1, externalValue: x}
  x-enum: {type: integer, enum: [1, "2"]}
paths: {}
components:
  schemas:
    Used: {type: string}
    Unused: {type: string}
    Ref: {$ref: '#/components/schemas/Used'}
"""


def run(
    then: dict[str, Any] | list[dict[str, Any]], given: str = "$.info", message: str | None = None
) -> list[tuple[str, str]]:
    rule: dict[str, Any] = {"given": given, "then": then, "severity": "error"}
    if message is not None:
        rule["message"] = message
    ruleset = build_ruleset({"rules": {"r": rule}})
    results = lint(Document(DOC, "doc.yaml"), ruleset)
    return [("/".join(map(str, r.path)), r.message) for r in results]


def test_truthy_falsy_defined_undefined() -> None:
    assert run({"field": "x-empty", "function": "truthy"}) == [("info/x-empty", '"x-empty" property must be truthy')]
    assert run({"field": "title", "function": "falsy"}) == [("info/title", '"title" property must be falsy')]
    assert run({"field": "x-missing", "function": "defined"}) == [("info", '"info.x-missing" property must be defined')]
    assert run({"field": "title", "function": "undefined"}) == [("info/title", '"title" property must be undefined')]
    assert run({"field": "title", "function": "truthy"}) == []


def test_pattern_match_and_not_match() -> None:
    then = {"field": "title", "function": "pattern", "functionOptions": {"match": "^[a-z]+$", "notMatch": "P"}}
    assert run(then) == [
        ("info/title", '"Pets" must match the pattern "^[a-z]+$"'),
        ("info/title", '"Pets" must not match the pattern "P"'),
    ]
    assert run({"field": "title", "function": "pattern", "functionOptions": {"match": "/^pets$/i"}}) == []


def test_casing() -> None:
    assert run({"field": "x-name", "function": "casing", "functionOptions": {"type": "camel"}}) == []
    assert run({"field": "x-name", "function": "casing", "functionOptions": {"type": "kebab"}}) == [
        ("info/x-name", "must be kebab case")
    ]


def test_length_on_strings_arrays_and_numbers() -> None:
    assert run({"field": "x-list", "function": "length", "functionOptions": {"max": 1}}) == [
        ("info/x-list", '"x-list" property must be shorter than 1')
    ]
    assert run({"field": "x-count", "function": "length", "functionOptions": {"min": 5}}) == [
        ("info/x-count", '"x-count" property must be longer than 5')
    ]


def test_enumeration() -> None:
    then = {"field": "title", "function": "enumeration", "functionOptions": {"values": ["Cats", 3]}}
    assert run(then) == [("info/title", '"Pets" must be equal to one of the allowed values: "Cats", 3')]


def test_alphabetical_arrays_maps_and_keyed_by() -> None:
    assert run({"field": "x-list", "function": "alphabetical"}) == [("info/x-list/0", '"b" must be placed after "a"')]
    assert run({"field": "x-map", "function": "alphabetical"}) == [("info/x-map/b", '"b" must be placed after "a"')]
    then = {"field": "x-tags", "function": "alphabetical", "functionOptions": {"keyedBy": "name"}}
    assert run(then) == [("info/x-tags", "properties must follow the alphabetical order")]


def test_xor_and_or() -> None:
    xor = {"field": "x-both", "function": "xor", "functionOptions": {"properties": ["value", "externalValue"]}}
    assert run(xor) == [("info/x-both", 'Just one of "value" and "externalValue" must be defined')]
    either = {"field": "x-both", "function": "or", "functionOptions": {"properties": ["a", "b"]}}
    assert run(either) == [("info/x-both", 'At least one of "a" or "b" must be defined')]


def test_schema_with_dialects() -> None:
    then = {"field": "x-count", "function": "schema", "functionOptions": {"schema": {"type": "string"}}}
    assert run(then) == [("info/x-count", '"x-count" property type must be string')]
    for dialect in ("draft4", "draft6", "draft7", "draft2019-09", "draft2020-12"):
        then = {
            "field": "x-list",
            "function": "schema",
            "functionOptions": {"dialect": dialect, "schema": {"maxItems": 1}},
        }
        assert run(then) == [("info/x-list", '"x-list" property must not have more than 1 items')], dialect


def test_typed_enum() -> None:
    assert run({"field": "x-enum", "function": "typedEnum"}, message="{{error}}") == [
        ("info/x-enum/enum/1", 'Enum value "2" must be "integer".')
    ]


def test_unreferenced_reusable_object() -> None:
    then = {
        "function": "unreferencedReusableObject",
        "functionOptions": {"reusableObjectsLocation": "#/components/schemas"},
    }
    assert run(then, given="$.components.schemas") == [
        ("components/schemas/Unused", "Potential orphaned reusable object has been detected"),
        ("components/schemas/Ref", "Potential orphaned reusable object has been detected"),
    ]


def check_title_is_short(target: Any, options: Any, context: Any) -> list[dict[str, Any]] | None:
    """A custom function, named in the ruleset by module path."""
    limit = (options or {}).get("max", 3)
    return [{"message": f"title longer than {limit}"}] if len(target) > limit else None


def test_custom_python_function_by_module_path() -> None:
    then = {"field": "title", "function": f"{__name__}:check_title_is_short", "functionOptions": {"max": 2}}
    assert run(then) == [("info/title", "title longer than 2")]


@pytest.mark.parametrize(
    ("then", "words"),
    [
        ({"function": "pattern", "functionOptions": {"mtch": "x"}}, "pattern"),
        ({"function": "casing", "functionOptions": {"type": "shouty"}}, "casing"),
        ({"function": "length", "functionOptions": {}}, "length"),
        ({"function": "schema", "functionOptions": {"schema": {"type": "nope"}}}, "JSON Schema"),
        ({"function": "xor", "functionOptions": {"properties": ["one"]}}, "xor"),
    ],
)
def test_bad_function_options_name_the_rule(then: dict[str, Any], words: str) -> None:
    from governance.openapi.lint import RulesetError

    with pytest.raises(RulesetError, match=rf'rule "r".*{words}'):
        build_ruleset({"rules": {"r": {"given": "$", "then": then}}})
