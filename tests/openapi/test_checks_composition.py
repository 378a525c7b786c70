"""Composition (allOf/anyOf/oneOf) and JSON Schema 2020-12 keyword checks (checks/composition.py)."""

import json

from governance.openapi import Options, diff_specs, load_spec

COMPONENTS = {
    "Pet": {"type": "object", "properties": {"name": {"type": "string"}}},
    "Tag": {"type": "object", "properties": {"label": {"type": "string"}}},
    "Role": {"type": "string", "enum": ["user", "admin"], "title": "Role"},
}


def spec(request_schema, response_schema=None, version="3.1.0", components=None):
    operation = {
        "requestBody": {"content": {"application/json": {"schema": request_schema}}},
        "responses": {
            "200": {
                "description": "ok",
                "content": {
                    "application/json": {"schema": response_schema if response_schema is not None else request_schema}
                },
            }
        },
    }
    doc = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"post": operation}},
        "components": {"schemas": dict(COMPONENTS, **(components or {}))},
    }
    return load_spec(json.dumps(doc).encode(), filename="spec.json")


def findings(base, revision, **options):
    options.setdefault("min_level", "INFO")
    return diff_specs(base, revision, Options(**options)).findings


def ids(base, revision, **options):
    return sorted(f.id for f in findings(base, revision, **options))


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def obj(**props):
    return {"type": "object", "properties": props}


ALL_OF_CHECKS = ["RequestPropertyAllOfUpdatedCheck", "ResponsePropertyAllOfUpdatedCheck"]


def test_all_of_ref_added_at_body_and_property_with_oasdiff_labels_and_levels():
    base = spec({"allOf": [ref("Pet")], "properties": {"owner": {"allOf": [ref("Pet")]}}})
    revision = spec({"allOf": [ref("Pet"), ref("Tag")], "properties": {"owner": {"allOf": [ref("Pet"), ref("Tag")]}}})
    got = {(f.id, f.level, f.text) for f in findings(base, revision, checks=ALL_OF_CHECKS)}
    assert (
        "request-body-all-of-added",
        "ERR",
        "added `#/components/schemas/Tag` to the request body `allOf` list",
    ) in got
    assert (
        "request-property-all-of-added",
        "ERR",
        "added `#/components/schemas/Tag` to the `owner` request property `allOf` list",
    ) in got
    assert (
        "response-body-all-of-added",
        "INFO",
        "added `#/components/schemas/Tag` to the response body `allOf` list for the response status `200`",
    ) in got
    assert len(got) == 4


def test_all_of_removed_is_warn_in_requests_and_info_in_responses():
    got = {
        (f.id, f.level)
        for f in findings(
            spec({"allOf": [ref("Pet"), ref("Tag")]}), spec({"allOf": [ref("Pet")]}), checks=ALL_OF_CHECKS
        )
    }
    assert got == {("request-body-all-of-removed", "WARN"), ("response-body-all-of-removed", "INFO")}


def test_annotation_only_all_of_subschema_gets_its_own_info_id():
    base = spec(obj(name={"type": "string"}))
    revision = spec(dict(obj(name={"type": "string"}), allOf=[{"title": "Doc", "description": "no effect"}]))
    assert ids(base, revision, checks=ALL_OF_CHECKS) == [
        "request-body-all-of-added-annotation-only",
        "response-body-all-of-added-annotation-only",
    ]
    text = findings(base, revision, checks=ALL_OF_CHECKS)[0].text
    assert "annotation-only `subschema #1: Doc`" in text


def test_annotation_only_and_real_subschemas_added_together_are_split():
    base = spec({"allOf": [ref("Pet")]})
    revision = spec({"allOf": [ref("Pet"), {"title": "Doc"}, {"required": ["name"]}]})
    assert ids(base, revision, checks=["RequestPropertyAllOfUpdatedCheck"]) == [
        "request-body-all-of-added",
        "request-body-all-of-added-annotation-only",
    ]


def test_any_of_inline_to_ref_refactor_is_matched_unless_match_inline_refs_is_off():
    base = spec(obj(role={"anyOf": [{"type": "string", "enum": ["user", "admin"]}, {"type": "null"}]}))
    revision = spec(obj(role={"anyOf": [ref("Role"), {"type": "null"}]}))
    checks = ["RequestPropertyAnyOfUpdatedCheck"]
    assert ids(base, revision, checks=checks) == []
    assert ids(base, revision, checks=checks, match_inline_refs=False) == [
        "request-property-any-of-added",
        "request-property-any-of-removed",
    ]


def test_inline_refactor_to_a_ref_that_validates_differently_is_reported():
    base = spec(obj(role={"anyOf": [{"type": "string", "enum": ["user"]}, {"type": "null"}]}))
    revision = spec(obj(role={"anyOf": [ref("Role"), {"type": "null"}]}))
    assert ids(base, revision, checks=["RequestPropertyAnyOfUpdatedCheck"]) == [
        "request-property-any-of-added",
        "request-property-any-of-removed",
    ]


def test_one_of_branch_removed_in_request_is_err_and_added_in_response_is_err():
    base = spec({"oneOf": [ref("Pet"), ref("Tag")]})
    revision = spec({"oneOf": [ref("Pet")]}, {"oneOf": [ref("Pet"), ref("Tag"), {"type": "string"}]})
    got = {
        (f.id, f.level, f.text)
        for f in findings(base, revision, checks=["RequestPropertyOneOfUpdatedCheck", "ResponsePropertyOneOfUpdated"])
    }
    assert got == {
        ("request-body-one-of-removed", "ERR", "removed `#/components/schemas/Tag` from the request body `oneOf` list"),
        (
            "response-body-one-of-added",
            "ERR",
            "added `subschema #3` to the response body `oneOf` list for the response status `200`",
        ),
    }


def test_single_untitled_inline_pair_is_one_modified_subschema_but_two_are_added_and_removed():
    checks = ["RequestPropertyOneOfUpdatedCheck"]
    one = ids(
        spec({"oneOf": [ref("Pet"), {"type": "string"}]}),
        spec({"oneOf": [ref("Pet"), {"type": "integer"}]}),
        checks=checks,
    )
    assert one == []
    two = ids(
        spec({"oneOf": [{"type": "string"}, {"type": "boolean"}, obj(a={"type": "string"})]}),
        spec({"oneOf": [{"type": "integer"}, {"type": "number"}, obj(a={"type": "string"})]}),
        checks=checks,
    )
    assert two == ["request-body-one-of-added", "request-body-one-of-removed"]


def test_inline_subschemas_pair_by_title():
    base = spec({"oneOf": [dict(obj(a={"type": "string"}), title="A"), dict(obj(b={"type": "string"}), title="B")]})
    revision = spec(
        {"oneOf": [dict(obj(a={"type": "integer"}), title="A"), dict(obj(b={"type": "string"}), title="B")]}
    )
    assert ids(base, revision, checks=["RequestPropertyOneOfUpdatedCheck"]) == []


def test_one_of_wrapping_of_an_object_body_is_not_reported_as_one_of_added():
    base = spec(obj(a={"type": "string"}, b={"type": "string"}))
    revision = spec({"oneOf": [obj(a={"type": "string"}), obj(b={"type": "string"})]})
    assert ids(base, revision, checks=["RequestPropertyOneOfUpdatedCheck", "ResponsePropertyOneOfUpdated"]) == []


def test_contains_min_and_max_contains():
    base = spec(obj(tags={"type": "array", "items": {"type": "string"}, "minContains": 1, "maxContains": 5}))
    revision = spec(
        obj(
            tags={
                "type": "array",
                "items": {"type": "string"},
                "contains": {"type": "string"},
                "minContains": 2,
                "maxContains": 3,
            }
        )
    )
    got = {(f.id, f.level, f.text) for f in findings(base, revision, checks=["RequestPropertyContainsUpdatedCheck"])}
    assert got == {
        ("request-property-contains-added", "ERR", "added 'contains' constraint to the request property `tags`"),
        (
            "request-property-min-contains-increased",
            "ERR",
            "the `tags` request property minContains was increased from `1` to `2`",
        ),
        (
            "request-property-max-contains-decreased",
            "ERR",
            "the `tags` request property maxContains was decreased from `5` to `3`",
        ),
    }
    # a bound set on one side only is not compared (oasdiff diffs the two values only when both exist)
    assert (
        ids(
            spec({"type": "array", "contains": {"type": "string"}}),
            spec({"type": "array", "contains": {"type": "string"}, "minContains": 3}),
            checks=["RequestPropertyContainsUpdatedCheck"],
        )
        == []
    )


def test_dependent_required_added_removed_changed_messages():
    base = spec(
        dict(obj(a={"type": "string"}), dependentRequired={"a": ["b"], "x": ["y"]}),
        dict(obj(a={"type": "string"}), dependentRequired={"a": ["b"], "x": ["y"]}),
    )
    revision = spec(
        dict(obj(a={"type": "string"}), dependentRequired={"a": ["c"], "n": ["m", "o"]}),
        dict(obj(a={"type": "string"}), dependentRequired={"a": ["c"], "n": ["m", "o"]}),
    )
    got = {
        (f.id, f.text)
        for f in findings(
            base,
            revision,
            checks=["RequestPropertyDependentRequiredChangedCheck", "ResponsePropertyDependentRequiredChangedCheck"],
        )
    }
    assert (
        "request-body-dependent-required-added",
        "the request body dependentRequired was added: when `n` is present, `m, o` are required",
    ) in got
    assert (
        "request-body-dependent-required-removed",
        "the request body dependentRequired was removed: when `x` was present, `y` were required",
    ) in got
    assert (
        "request-body-dependent-required-changed",
        "the request body dependentRequired for `a` was updated: `c added, b removed`",
    ) in got
    assert (
        "response-body-dependent-required-changed",
        "the response body dependentRequired for `a` was updated for the status `200`: `c added, b removed`",
    ) in got
    assert len(got) == 6


def test_dependent_schemas_and_pattern_properties_names():
    base = spec(obj(meta=dict(obj(), dependentSchemas={"a": {"required": ["b"]}}, patternProperties={"^x-": {}})))
    revision = spec(
        obj(
            meta=dict(
                obj(),
                dependentSchemas={"c": {"required": ["d"]}},
                patternProperties={"^x-": {}, "^y-": {"type": "string"}},
            )
        )
    )
    got = {
        (f.id, f.text)
        for f in findings(
            base,
            revision,
            checks=["RequestPropertyDependentSchemasUpdatedCheck", "RequestPropertyPatternPropertiesUpdatedCheck"],
        )
    }
    assert got == {
        ("request-property-dependent-schema-added", "added the dependent schema `c` to the `meta` request property"),
        (
            "request-property-dependent-schema-removed",
            "removed the dependent schema `a` from the `meta` request property",
        ),
        ("request-property-pattern-property-added", "added the pattern property `^y-` to the `meta` request property"),
    }


def test_if_then_else_property_names_unevaluated_presence():
    base = spec(obj(meta=obj(), list={"type": "array", "unevaluatedItems": False}))
    revision = spec(
        obj(
            meta=dict(
                obj(),
                propertyNames={"pattern": "^[a-z]"},
                unevaluatedProperties=False,
                **{"if": {"required": ["a"]}, "then": {"required": ["b"]}},
            ),
            list={"type": "array"},
        )
    )
    checks = [
        "ResponsePropertyIfUpdatedCheck",
        "ResponsePropertyPropertyNamesUpdatedCheck",
        "ResponsePropertyUnevaluatedUpdatedCheck",
    ]
    got = {(f.id, f.level) for f in findings(base, revision, checks=checks)}
    assert got == {
        ("response-property-if-added", "INFO"),
        ("response-property-then-added", "INFO"),
        ("response-property-property-names-added", "INFO"),
        ("response-property-unevaluated-properties-added", "INFO"),
        ("response-property-unevaluated-items-removed", "ERR"),
    }


def test_prefix_items_added_that_only_restates_items_is_not_a_change():
    checks = ["RequestPropertyPrefixItemsUpdatedCheck", "ResponsePropertyPrefixItemsUpdatedCheck"]
    same = ids(
        spec({"type": "array", "items": {"type": "string"}}),
        spec({"type": "array", "items": {"type": "string"}, "prefixItems": [{"type": "string"}]}),
        checks=checks,
    )
    assert same == []
    got = {
        (f.id, f.level, f.text)
        for f in findings(
            spec({"type": "array", "items": {"type": "string"}}),
            spec({"type": "array", "items": {"type": "string"}, "prefixItems": [{"type": "integer"}]}),
            checks=checks,
        )
    }
    assert got == {
        ("request-body-prefix-items-added", "INFO", "added `subschema #1` to the request body 'prefixItems' list"),
        (
            "response-body-prefix-items-added",
            "ERR",
            "added `subschema #1` to the response body 'prefixItems' list for the response status `200`",
        ),
    }


def test_changes_inside_a_modified_all_of_subschema_are_reported_at_its_oasdiff_path():
    base = spec({"allOf": [ref("Pet"), {"type": "object", "properties": {"tags": {"type": "array"}}}]})
    revision = spec(
        {
            "allOf": [
                ref("Pet"),
                {"type": "object", "properties": {"tags": {"type": "array", "contains": {"type": "string"}}}},
            ]
        }
    )
    texts = [f.text for f in findings(base, revision, checks=["RequestPropertyContainsUpdatedCheck"])]
    assert texts == ["added 'contains' constraint to the request property `allOf[subschema #2]/tags`"]


def test_parameters_are_not_walked_by_these_checks():
    def with_param(schema):
        doc = {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/p": {
                    "get": {
                        "parameters": [{"name": "q", "in": "query", "schema": schema}],
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
        }
        return load_spec(json.dumps(doc).encode(), filename="spec.json")

    assert (
        ids(
            with_param({"anyOf": [obj(a={"type": "string"}), obj(b={"type": "string"})]}),
            with_param({"anyOf": [obj(a={"type": "string"})]}),
            checks=["RequestPropertyAnyOfUpdatedCheck"],
        )
        == []
    )
