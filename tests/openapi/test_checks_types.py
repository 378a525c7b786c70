"""Types, formats, type lists, nullability (+ transition claims), required-ness, discriminators and
property deprecation (checks/types.py, checks/transitions.py, checks/required.py)."""

import json

from governance.openapi import Options, diff_specs, load_spec


def _spec(version="3.0.3", request=None, response=None, parameters=None, components=None):
    operation = {"responses": {"200": {"description": "ok"}}}
    if request is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": request}}}
    if response is not None:
        operation["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    if parameters is not None:
        operation["parameters"] = parameters
    doc = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/things": {"post": operation}}}
    if components:
        doc["components"] = {"schemas": components}
    return load_spec(json.dumps(doc).encode(), filename="spec.json")


def _findings(base, revision, **options):
    options.setdefault("min_level", "INFO")
    return diff_specs(base, revision, Options(**options)).findings


def _ids(base, revision, **options):
    return sorted(f.id for f in _findings(base, revision, **options))


def _obj(**properties):
    return {"type": "object", "properties": properties}


# --- type / format ----------------------------------------------------------------------


def test_request_property_type_changed_is_breaking_with_oasdiff_text():
    base = _spec(request=_obj(age={"type": "string"}))
    revision = _spec(request=_obj(age={"type": "integer", "format": "int32"}))
    findings = [f for f in _findings(base, revision) if f.id.startswith("request-property-type")]
    assert [(f.id, f.level) for f in findings] == [("request-property-type-changed", "ERR")]
    assert findings[0].text == "the `age` request property `type/format` changed from `string` to `integer/int32`"
    assert findings[0].revision_pointer.endswith("/properties/age/type")


def test_request_widening_is_generalized_and_response_widening_is_breaking():
    base = _spec(request=_obj(n={"type": "integer"}), response=_obj(n={"type": "integer"}))
    revision = _spec(request=_obj(n={"type": "number"}), response=_obj(n={"type": "number"}))
    ids = _ids(base, revision)
    assert "request-property-type-generalized" in ids
    assert "response-property-type-generalized" in ids
    levels = {f.id: f.level for f in _findings(base, revision)}
    assert levels["response-property-type-generalized"] == "ERR"


def test_format_widening_and_array_item_rendering():
    base = _spec(
        response=_obj(
            when={"type": "string", "format": "date-time"}, tags={"type": "array", "items": {"type": "string"}}
        )
    )
    revision = _spec(response=_obj(when={"type": "string", "format": "date"}, tags={"type": "string"}))
    texts = {f.id: f.text for f in _findings(base, revision) if "type" in f.id}
    assert texts["response-property-type-specialized"] == (
        "the `when` response's property `format` was narrowed from `date-time` to `date` for status `200`"
    )
    assert texts["response-property-type-changed"] == (
        "the `tags` response's property `type` changed from `array<string>` to `string` for status `200`"
    )


def test_loosely_typed_media_type_swap_is_compatible():
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/xml": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    base = load_spec(json.dumps(doc).encode(), filename="a.json")
    doc["paths"]["/x"]["post"]["requestBody"]["content"]["application/xml"]["schema"] = {"type": "string"}
    revision = load_spec(json.dumps(doc).encode(), filename="b.json")
    assert _ids(base, revision) == ["request-body-type-compatible"]


def test_parameter_scalar_to_form_array_is_safe_only_when_items_accept_the_scalar():
    scalar = [{"name": "t", "in": "query", "schema": {"type": "string"}}]
    array = [{"name": "t", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}]
    constrained = [
        {"name": "t", "in": "query", "schema": {"type": "array", "items": {"type": "string", "pattern": "^a$"}}}
    ]
    checks = ["RequestParameterTypeChangedCheck"]
    assert _ids(_spec(parameters=scalar), _spec(parameters=array), checks=checks) == [
        "request-parameter-type-generalized"
    ]
    assert _ids(_spec(parameters=scalar), _spec(parameters=constrained), checks=checks) == [
        "request-parameter-type-changed"
    ]


def test_parameter_object_property_type_forks_three_ways():
    def param(kind):
        return [{"name": "f", "in": "query", "schema": _obj(id={"type": kind})}]

    checks = ["RequestParameterTypeChangedCheck"]
    assert _ids(_spec(parameters=param("number")), _spec(parameters=param("string")), checks=checks) == [
        "request-parameter-property-type-changed"
    ]
    assert _ids(_spec(parameters=param("string")), _spec(parameters=param("number")), checks=checks) == [
        "request-parameter-property-type-specialized"
    ]
    assert _ids(_spec(parameters=param("integer")), _spec(parameters=param("number")), checks=checks) == [
        "request-parameter-property-type-generalized"
    ]


# --- nullability and transition claims ----------------------------------------------------


def test_30_nullable_keyword_and_31_type_array():
    assert _ids(
        _spec(request=_obj(a={"type": "string", "nullable": True})), _spec(request=_obj(a={"type": "string"}))
    ) == ["request-property-became-not-nullable"]
    # the null-only type change is claimed: no type-changed echo
    assert _ids(
        _spec("3.1.0", response=_obj(a={"type": "string"})),
        _spec("3.1.0", response=_obj(a={"type": ["string", "null"]})),
    ) == ["response-property-became-nullable"]


def test_nullable_oneof_wrapping_is_one_finding_and_claims_the_echoes():
    enum = {"type": "string", "enum": ["a", "b"]}
    base = _spec("3.1.0", request=_obj(kind={"$ref": "#/components/schemas/E"}), components={"E": enum})
    wrapped = _spec(
        "3.1.0",
        request=_obj(kind={"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/E"}]}),
        components={"E": enum},
    )
    assert _ids(base, wrapped) == ["request-property-became-nullable"]
    assert _ids(wrapped, base) == ["request-property-became-not-nullable"]


def test_wrapping_that_also_narrows_is_not_a_nullability_change():
    base = _spec("3.1.0", request=_obj(kind={"type": "string", "enum": ["a", "b"]}))
    revision = _spec("3.1.0", request=_obj(kind={"oneOf": [{"type": "null"}, {"type": "string", "enum": ["a"]}]}))
    ids = _ids(base, revision)
    assert "request-property-became-nullable" not in ids
    assert "request-property-enum-value-removed" in ids


def test_list_of_types_claims_type_and_structure_but_not_values():
    base = _spec("3.1.0", request=_obj(mode={"type": "string", "enum": ["x", "y"]}))
    revision = _spec("3.1.0", request=_obj(mode={"oneOf": [{"type": "string"}, {"type": "integer"}]}))
    ids = _ids(base, revision)
    assert ids.count("request-property-list-of-types-widened") == 1
    assert "request-property-type-generalized" not in ids and "request-property-type-changed" not in ids
    assert not [i for i in ids if "one-of" in i]
    assert ids.count("request-property-enum-value-removed") == 2


# --- required / optional -----------------------------------------------------------------


def test_required_changes_in_request_and_response():
    optional = {"type": "object", "properties": {"a": {"type": "string"}, "r": {"type": "string", "readOnly": True}}}
    required = dict(optional, required=["a", "r"])
    assert _ids(_spec(request=optional), _spec(request=required)) == ["request-property-became-required"]
    assert _ids(_spec(response=required), _spec(response=optional)) == [
        "response-property-became-optional",
        "response-property-became-optional",
    ]
    with_default = {"type": "object", "properties": {"a": {"type": "string", "default": "x"}}}
    assert _ids(_spec(request=with_default), _spec(request=dict(with_default, required=["a"]))) == [
        "request-property-became-required-with-default"
    ]


def test_nested_required_uses_the_property_path():
    base = _spec(response=_obj(inner=_obj(x={"type": "string"})))
    revision = _spec(response=_obj(inner=dict(_obj(x={"type": "string"}), required=["x"])))
    findings = _findings(base, revision)
    assert [(f.id, f.text) for f in findings] == [
        ("response-property-became-required", "the response property `inner/x` became required for the status `200`")
    ]


# --- discriminator and deprecation ------------------------------------------------------


def test_discriminator_added_and_mapping_changed():
    base = _spec(request={"oneOf": [{"$ref": "#/components/schemas/A"}]}, components={"A": _obj(k={"type": "string"})})
    with_disc = {
        "oneOf": [{"$ref": "#/components/schemas/A"}],
        "discriminator": {"propertyName": "k", "mapping": {"a": "#/components/schemas/A"}},
    }
    revision = _spec(request=with_disc, components={"A": _obj(k={"type": "string"})})
    assert _ids(base, revision, checks=["RequestDiscriminatorUpdatedCheck"]) == ["request-body-discriminator-added"]
    remapped = dict(with_disc, discriminator={"propertyName": "kind", "mapping": {"b": "#/components/schemas/A"}})
    ids = _ids(
        revision,
        _spec(request=remapped, components={"A": _obj(k={"type": "string"})}),
        checks=["RequestDiscriminatorUpdatedCheck"],
    )
    assert ids == [
        "request-body-discriminator-mapping-added",
        "request-body-discriminator-mapping-deleted",
        "request-body-discriminator-property-name-changed",
    ]


def test_property_deprecation_with_sunset_and_reactivation():
    base = _spec(response=_obj(old={"type": "string"}))
    deprecated = _spec(response=_obj(old={"type": "string", "deprecated": True, "x-sunset": "9999-01-01"}))
    findings = _findings(base, deprecated, checks=["ResponsePropertyDeprecationCheck"])
    assert [(f.id, f.text) for f in findings] == [
        ("response-property-deprecated-with-sunset", "response property `old` deprecated with sunset date `9999-01-01`")
    ]
    assert _ids(deprecated, base, checks=["ResponsePropertyDeprecationCheck"]) == ["response-property-reactivated"]
    policy = _findings(
        base,
        _spec(response=_obj(old={"type": "string", "deprecated": True})),
        checks=["ResponsePropertyDeprecationCheck"],
        deprecation_days_stable=30,
    )
    assert [f.id for f in policy] == ["response-property-deprecated-sunset-missing"]
