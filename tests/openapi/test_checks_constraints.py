"""Value constraints and enums (checks/constraints.py, checks/enums.py): small inline specs."""

import copy
import json

import pytest

from governance.openapi import Options, diff_specs, load_spec


def _spec(version="3.0.3", param=None, body=None, response=None, extra_body=None):
    operation = {"responses": {"200": {"description": "ok"}}}
    if param is not None:
        operation["parameters"] = [{"name": "limit", "in": "query", "schema": param}]
    if body is not None:
        content = {"application/json": {"schema": body}}
        if extra_body is not None:
            content["application/xml"] = {"schema": extra_body}
        operation["requestBody"] = {"content": content}
    if response is not None:
        operation["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/items": {"post": operation}}}


def _diff(base, revision, checks="all"):
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "base.json"),
        load_spec(json.dumps(revision).encode(), "revision.json"),
        Options(min_level="INFO", checks=checks),
    )
    return [(f.id, f.text) for f in report.findings]


def _ids(findings):
    return sorted(i for i, _ in findings)


def _obj(**props):
    return {"type": "object", "properties": props}


# ---- enums ------------------------------------------------------------------------------------


def test_parameter_enum_values_and_became_enum():
    base = _spec(param={"type": "string", "enum": ["a", "b"]})
    revision = _spec(param={"type": "string", "enum": ["a", "c"]})
    assert _diff(base, revision, ["RequestParameterEnumValueUpdatedCheck"]) == [
        (
            "request-parameter-enum-value-removed",
            "removed the enum value `b` from the `query` request parameter `limit`",
        ),
        ("request-parameter-enum-value-added", "added the new enum value `c` to the `query` request parameter `limit`"),
    ]
    became = _diff(_spec(param={"type": "string"}), revision, ["RequestParameterBecameEnumCheck"])
    assert became == [
        (
            "request-parameter-became-enum",
            "the `query` request parameter `limit` was restricted to a list of enum values",
        )
    ]


def test_numbers_compare_like_go_and_booleans_are_not_numbers():
    base = _spec(param={"enum": [1, True]})
    assert _diff(base, _spec(param={"enum": [1.0, True]})) == []
    assert _ids(_diff(base, _spec(param={"enum": [1, 1.0, 1]}))) == ["request-parameter-enum-value-removed"]


def test_parameter_property_enum_and_header_property_became_enum():
    base = _spec(param=_obj(kind={"type": "string", "enum": ["x", "y"]}, mode={"type": "string"}))
    revision = _spec(param=_obj(kind={"type": "string", "enum": ["x"]}, mode={"type": "string", "enum": ["m"]}))
    assert (
        "request-parameter-property-enum-value-removed",
        "removed the enum value `y` from the property `kind` of the `query` request parameter `limit`",
    ) in _diff(base, revision, ["RequestParameterEnumValueUpdatedCheck"])
    for spec in (base, revision):
        spec["paths"]["/items"]["post"]["parameters"][0]["in"] = "header"
    assert _diff(base, revision, ["RequestHeaderPropertyBecameEnumCheck"]) == [
        (
            "request-header-property-became-enum",
            "the `limit` request header's property `mode` was restricted to a list of enum values",
        )
    ]


def test_request_body_and_property_enums():
    base = _spec(
        body=_obj(
            state={"type": "string", "enum": ["on", "off"]}, ro={"type": "string", "readOnly": True, "enum": ["a", "b"]}
        )
    )
    revision = _spec(
        body=_obj(state={"type": "string", "enum": ["on"]}, ro={"type": "string", "readOnly": True, "enum": ["a"]})
    )
    assert _ids(_diff(base, revision, ["RequestPropertyEnumValueUpdatedCheck"])) == [
        "request-property-enum-value-removed",
        "request-read-only-property-enum-value-removed",
    ]
    body_base, body_rev = _spec(body={"type": "string"}), _spec(body={"type": "string", "enum": ["a"]})
    assert _ids(_diff(body_base, body_rev, ["RequestBodyBecameEnumCheck"])) == ["request-body-became-enum"]
    # dropping the whole enum reports each of its values as removed, as oasdiff's EnumDiff does
    assert _diff(body_rev, body_base, ["RequestBodyEnumValueRemovedCheck"]) == [
        ("request-body-enum-value-removed", "request body enum value removed `a`")
    ]
    prop = _diff(
        _spec(body=_obj(a={"type": "string"})),
        _spec(body=_obj(a={"type": "string", "enum": ["z"]})),
        ["RequestPropertyBecameEnumCheck"],
    )
    assert prop == [("request-property-became-enum", "request property `a` was restricted to a list of enum values")]


def test_response_enums():
    base = _spec(
        response={
            "type": "object",
            "enum": [{"a": 1}, {"a": 2}],
            "properties": {
                "s": {"type": "string", "enum": ["a"]},
                "w": {"type": "string", "writeOnly": True, "enum": ["a"]},
            },
        }
    )
    revision = copy.deepcopy(base)
    props = revision["paths"]["/items"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    props["enum"] = [{"a": 1}]
    props["properties"]["s"]["enum"] = ["b"]
    props["properties"]["w"]["enum"] = ["a", "b"]
    found = _diff(
        base,
        revision,
        [
            "ResponsePropertyEnumValueAddedCheck",
            "ResponseParameterEnumValueRemovedCheck",
            "ResponseMediaTypeEnumValueRemovedCheck",
        ],
    )
    assert (
        "response-property-enum-value-added",
        "added the new `b` enum value to the `s` response property for the response status `200`",
    ) in found
    assert (
        "response-property-enum-value-removed",
        "removed the `a` enum value from the `s` response property for the response status `200`",
    ) in found
    assert (
        "response-mediatype-enum-value-removed",
        "response schema `application/json` enum value removed `map[a:2]`",
    ) in found
    assert "response-write-only-property-enum-value-added" in _ids(found)


def test_x_extensible_enum_removed():
    base = _spec(
        param={"type": "string", "x-extensible-enum": ["1", "2"]},
        body=_obj(p={"type": "string", "x-extensible-enum": ["a", "b"]}),
    )
    revision = _spec(
        param={"type": "string", "x-extensible-enum": ["1"]},
        body=_obj(p={"type": "string", "x-extensible-enum": ["b"]}),
    )
    found = _diff(
        base,
        revision,
        ["RequestParameterXExtensibleEnumValueRemovedCheck", "RequestPropertyXExtensibleEnumValueRemovedCheck"],
    )
    assert sorted(found) == [
        (
            "request-parameter-x-extensible-enum-value-removed",
            "removed the x-extensible-enum value `2` from the `query` request parameter `limit`",
        ),
        (
            "request-property-x-extensible-enum-value-removed",
            "removed the x-extensible-enum value `a` of the request property `p`",
        ),
    ]


# ---- numeric bounds ---------------------------------------------------------------------------


def test_parameter_bounds_updated_and_set():
    base = _spec("3.1.0", param={"type": "integer", "minimum": 1, "maximum": 10, "exclusiveMinimum": 0})
    revision = _spec(
        "3.1.0", param={"type": "integer", "minimum": 5, "maximum": 9.5, "exclusiveMinimum": 2, "exclusiveMaximum": 100}
    )
    found = _diff(
        base,
        revision,
        [
            "RequestParameterMinUpdatedCheck",
            "RequestParameterMaxUpdatedCheck",
            "RequestParameterMinSetCheck",
            "RequestParameterMaxSetCheck",
        ],
    )
    assert sorted(found) == sorted(
        [
            (
                "request-parameter-min-increased",
                "for the `query` request parameter `limit`, the min was increased from `1` to `5`",
            ),
            (
                "request-parameter-exclusive-min-increased",
                "for the `query` request parameter `limit`, the exclusiveMinimum was increased from `0` to `2`",
            ),
            (
                "request-parameter-max-decreased",
                "for the `query` request parameter `limit`, the max was decreased from `10` to `9.5`",
            ),
            (
                "request-parameter-exclusive-max-set",
                "for the `query` request parameter `limit`, the exclusiveMaximum was set to `100`",
            ),
        ]
    )


def test_openapi_30_boolean_exclusive_bound_turned_on_tightens_the_bound_beside_it():
    # not oasdiff's "exclusiveMinimum set to `true`" (WARN) nor "decreased" (INFO): the minimum itself
    # is no longer a valid value, so a client sending it is refused
    found = diff_specs(
        load_spec(json.dumps(_spec(param={"type": "integer", "minimum": 1})).encode(), "b.json"),
        load_spec(
            json.dumps(_spec(param={"type": "integer", "minimum": 1, "exclusiveMinimum": True})).encode(), "r.json"
        ),
        Options(min_level="INFO"),
    ).findings
    assert [(f.id, f.level, f.text) for f in found] == [
        (
            "request-parameter-min-became-exclusive",
            "ERR",
            "for the `query` request parameter `limit`, the minimum `1` became exclusive",
        )
    ]


def test_request_body_and_property_bounds():
    base = _spec(
        body={
            "type": "object",
            "maximum": 10,
            "minimum": 1,
            "properties": {
                "n": {"type": "number", "maximum": 10},
                "r": {"type": "number", "readOnly": True, "maximum": 10},
                "m": {"type": "number", "minimum": 1},
            },
        }
    )
    revision = _spec(
        body={
            "type": "object",
            "maximum": 5,
            "minimum": 2,
            "properties": {
                "n": {"type": "number", "maximum": 5},
                "r": {"type": "number", "readOnly": True, "maximum": 5},
                "m": {"type": "number", "minimum": 0},
            },
        }
    )
    found = _diff(base, revision, ["RequestPropertyMaxDecreasedCheck", "RequestPropertyMinIncreasedCheck"])
    assert sorted(found) == sorted(
        [
            ("request-body-max-decreased", "the request's body max was decreased to `5`"),
            ("request-body-min-increased", "the request's body min was increased to `2`"),
            ("request-property-max-decreased", "the `n` request property's max was decreased to `5`"),
            (
                "request-read-only-property-max-decreased",
                "the `r` request read-only property's max was decreased to `5`",
            ),
            ("request-property-min-decreased", "the `m` request property's min was decreased from `1` to `0`"),
        ]
    )


def test_request_bounds_set_skip_read_only_properties():
    base = _spec(body=_obj(a={"type": "number"}, b={"type": "number", "readOnly": True}))
    revision = _spec(
        body=_obj(a={"type": "number", "minimum": 1}, b={"type": "number", "readOnly": True, "minimum": 1})
    )
    assert _diff(base, revision, ["RequestPropertyMinSetCheck"]) == [
        ("request-property-min-set", "the `a` request property's min was set to `1`")
    ]


def test_response_bounds_widened_skip_write_only():
    base = _spec(
        response={
            "type": "object",
            "minimum": 5,
            "properties": {
                "a": {"type": "number", "maximum": 1},
                "w": {"type": "number", "writeOnly": True, "maximum": 1},
            },
        }
    )
    revision = _spec(
        response={
            "type": "object",
            "minimum": 1,
            "properties": {
                "a": {"type": "number", "maximum": 2},
                "w": {"type": "number", "writeOnly": True, "maximum": 2},
            },
        }
    )
    found = _diff(base, revision, ["ResponsePropertyMinDecreasedCheck", "ResponsePropertyMaxIncreasedCheck"])
    assert sorted(found) == [
        ("response-body-min-decreased", "the response's body min was decreased from `5` to `1`"),
        (
            "response-property-max-increased",
            "the `a` response property's max was increased from `1` to `2` for the response status `200`",
        ),
    ]


# ---- lengths and item counts ------------------------------------------------------------------


def test_parameter_lengths():
    checks = [
        "RequestParameterMaxLengthUpdatedCheck",
        "RequestParameterMaxLengthSetCheck",
        "RequestParameterMinLengthUpdatedCheck",
    ]
    assert _ids(
        _diff(_spec(param={"type": "string"}), _spec(param={"type": "string", "maxLength": 9, "minLength": 2}), checks)
    ) == ["request-parameter-max-length-set", "request-parameter-min-length-increased"]
    found = _diff(
        _spec(param={"type": "string", "maxLength": 9, "minLength": 2}),
        _spec(param={"type": "string", "maxLength": 5}),
        checks,
    )
    assert sorted(found) == [
        (
            "request-parameter-max-length-decreased",
            "for the `query` request parameter `limit`, the maxLength was decreased from `9` to `5`",
        ),
        (
            "request-parameter-min-length-decreased",  # an absent minLength reads as 0
            "for the `query` request parameter `limit`, the minLength was decreased from `2` to `0`",
        ),
    ]


def test_parameter_items():
    checks = [
        "RequestParameterMinItemsUpdatedCheck",
        "RequestParameterMinItemsSetCheck",
        "RequestParameterMaxItemsUpdatedCheck",
    ]
    array = {"type": "array", "items": {"type": "string"}}
    assert _diff(_spec(param=array), _spec(param={**array, "minItems": 2}), checks) == [
        ("request-parameter-min-items-set", "for the `query` request parameter `limit`, the minItems was set to `2`")
    ]
    assert _ids(_diff(_spec(param={**array, "minItems": 2}), _spec(param={**array, "minItems": 3}), checks)) == [
        "request-parameter-min-items-increased"
    ]
    legacy_base = _spec(param={"type": "array", "items": {"type": "string", "maxItems": 5}})
    legacy_rev = _spec(param={"type": "array", "items": {"type": "string", "maxItems": 3}})
    assert _ids(_diff(legacy_base, legacy_rev, checks)) == ["request-parameter-max-items-decreased"]


def test_request_lengths_and_items():
    base = _spec(
        body={
            "type": "array",
            "minItems": 1,
            "maxLength": 10,
            "items": _obj(
                s={"type": "string", "maxLength": 10, "minLength": 1}, t={"type": "array", "items": {"type": "string"}}
            ),
        }
    )
    revision = _spec(
        body={
            "type": "array",
            "minItems": 2,
            "maxLength": 20,
            "items": _obj(
                s={"type": "string", "maxLength": 8, "minLength": 3},
                t={"type": "array", "items": {"type": "string"}, "minItems": 1},
            ),
        }
    )
    found = _diff(
        base,
        revision,
        [
            "RequestPropertyMaxLengthUpdatedCheck",
            "RequestPropertyMinLengthUpdatedCheck",
            "RequestPropertyMinItemsIncreasedCheck",
            "RequestPropertyMinItemsSetCheck",
        ],
    )
    assert sorted(found) == sorted(
        [
            ("request-body-max-length-increased", "the request's body maxLength was increased from `10` to `20`"),
            ("request-body-min-items-increased", "the request's body minItems was increased to `2`"),
            (
                "request-property-max-length-decreased",
                "the `items/s` request property's maxLength was decreased to `8`",
            ),
            (
                "request-property-min-length-increased",
                "the `items/s` request property's minLength was increased from `1` to `3`",
            ),
            # minItems is a uint64 in oasdiff: adding it is an increase from 0, never "set"
            ("request-property-min-items-increased", "the `items/t` request property's minItems was increased to `1`"),
        ]
    )


def test_response_lengths_and_items():
    base = _spec(
        response=_obj(
            s={"type": "string", "maxLength": 5, "minLength": 2},
            l={"type": "array", "minItems": 3, "items": {"type": "string"}},
        )
    )
    revision = _spec(response=_obj(s={"type": "string"}, l={"type": "array", "items": {"type": "string"}}))
    found = _diff(
        base,
        revision,
        [
            "ResponsePropertyMaxLengthUnsetCheck",
            "ResponsePropertyMinLengthDecreasedCheck",
            "ResponsePropertyMinItemsDecreasedCheck",
            "ResponsePropertyMinItemsUnsetCheck",
            "ResponsePropertyMaxLengthIncreasedCheck",
        ],
    )
    assert sorted(found) == sorted(
        [
            (
                "response-property-max-length-unset",
                "the `s` response property's maxLength was unset from `5` for the response status `200`",
            ),
            (
                "response-property-min-length-decreased",
                "the `s` response property's minLength was decreased from `2` to `0` for the response status `200`",
            ),
            (
                "response-property-min-items-decreased",
                "the `l` response property's minItems was decreased from `3` to `0` for the response status `200`",
            ),
        ]
    )


# ---- patterns, defaults, const, content keywords ----------------------------------------------


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            None,
            "^a$",
            ("request-parameter-pattern-added", "added the pattern `^a$` to the `query` request parameter `limit`"),
        ),
        (
            "^a$",
            None,
            (
                "request-parameter-pattern-removed",
                "removed the pattern `^a$` from the `query` request parameter `limit`",
            ),
        ),
        (
            "^a$",
            "^b$",
            (
                "request-parameter-pattern-changed",
                "changed the pattern of the `query` request parameter `limit` from `^a$` to `^b$`",
            ),
        ),
        (
            "^a$",
            ".*",
            (
                "request-parameter-pattern-generalized",
                "changed the pattern of the `query` request parameter "
                "`limit` from `^a$` to a more general pattern `.*`",
            ),
        ),
    ],
)
def test_parameter_pattern(old, new, expected):
    def schema(pattern):
        return {"type": "string", **({"pattern": pattern} if pattern else {})}

    assert _diff(
        _spec(param=schema(old)), _spec(param=schema(new)), ["RequestParameterPatternAddedOrChangedCheck"]
    ) == [expected]


def test_property_patterns():
    base = _spec(body=_obj(p={"type": "string", "pattern": "^a$"}), response=_obj(q={"type": "string"}))
    revision = _spec(
        body=_obj(p={"type": "string", "pattern": "^b$"}), response=_obj(q={"type": "string", "pattern": "^c$"})
    )
    found = _diff(base, revision, ["RequestPropertyPatternUpdatedCheck", "ResponsePatternAddedOrChangedCheck"])
    assert sorted(found) == [
        ("request-property-pattern-changed", "changed the pattern of the request property `p` from `^a$` to `^b$`"),
        ("response-property-pattern-added", "the `q` response's property pattern `^c$` was added for the status `200`"),
    ]


def test_parameter_default_skips_required_parameters():
    base, revision = _spec(param={"type": "integer", "default": 1}), _spec(param={"type": "integer", "default": 2})
    assert _diff(base, revision, ["RequestParameterDefaultValueChangedCheck"]) == [
        (
            "request-parameter-default-value-changed",
            "for the `query` request parameter `limit`, default value was changed from `1` to `2`",
        )
    ]
    for spec in (base, revision):
        spec["paths"]["/items"]["post"]["parameters"][0]["required"] = True
    assert _diff(base, revision, ["RequestParameterDefaultValueChangedCheck"]) == []


def test_defaults_and_const_use_the_property_name():
    base = _spec(
        "3.1.0",
        body=_obj(o=_obj(leaf={"type": "string", "default": "a", "const": "a"})),
        response={"type": "object", "default": {}, "properties": {"r": {"type": "integer", "const": 1}}},
    )
    revision = _spec(
        "3.1.0",
        body=_obj(o=_obj(leaf={"type": "string", "const": "b"})),
        response={"type": "object", "properties": {"r": {"type": "integer", "const": 2}}},
    )
    found = _diff(
        base,
        revision,
        [
            "RequestPropertyDefaultValueChangedCheck",
            "ResponsePropertyDefaultValueChangedCheck",
            "RequestPropertyConstChangedCheck",
            "ResponsePropertyConstChangedCheck",
        ],
    )
    assert sorted(found) == sorted(
        [
            ("request-property-default-value-removed", "the `leaf` request property default value `a` was removed"),
            ("request-property-const-changed", "the `leaf` request property const value changed from `a` to `b`"),
            (
                "response-body-default-value-removed",
                "the response body `application/json` default value `map[]` was removed for the status `200`",
            ),
            (
                "response-property-const-changed",
                "the `r` response property const value changed from `1` to `2` for the status `200`",
            ),
        ]
    )


def test_content_keywords():
    base = _spec(
        "3.1.0",
        body=_obj(f={"type": "string", "contentMediaType": "image/png"}),
        response={"type": "string", "contentEncoding": "base64"},
    )
    revision = _spec(
        "3.1.0",
        body=_obj(f={"type": "string", "contentMediaType": "image/jpeg", "contentSchema": {"type": "object"}}),
        response={"type": "string"},
    )
    found = _diff(base, revision, ["RequestPropertyContentUpdatedCheck", "ResponsePropertyContentUpdatedCheck"])
    assert sorted(found) == sorted(
        [
            (
                "request-property-content-media-type-changed",
                "the `f` request property contentMediaType changed from `image/png` to `image/jpeg`",
            ),
            ("request-property-content-schema-added", "added 'contentSchema' to the request property `f`"),
            (
                "response-body-content-encoding-changed",
                "the response body contentEncoding changed from `base64` to `` for the status `200`",
            ),
        ]
    )


# ---- walks and plumbing -------------------------------------------------------------------------


def test_not_subschema_is_walked():
    base = _spec("3.1.0", body={"type": "object", "not": _obj(x={"type": "string", "maxLength": 10})})
    revision = _spec("3.1.0", body={"type": "object", "not": _obj(x={"type": "string", "maxLength": 5})})
    assert _diff(base, revision, ["RequestPropertyMaxLengthUpdatedCheck"]) == [
        ("request-property-max-length-decreased", "the `/not/x` request property's maxLength was decreased to `5`")
    ]


def test_media_type_named_when_several_changed():
    base = _spec(body={"type": "string", "maxLength": 5}, extra_body={"type": "string", "maxLength": 5})
    revision = _spec(body={"type": "string", "maxLength": 3}, extra_body={"type": "string", "maxLength": 3})
    texts = sorted(t for _, t in _diff(base, revision, ["RequestPropertyMaxLengthUpdatedCheck"]))
    assert texts == [
        "the request's body maxLength was decreased to `3` (media type: application/json)",
        "the request's body maxLength was decreased to `3` (media type: application/xml)",
    ]


def test_pointers_name_the_keyword():
    base, revision = _spec(param={"type": "string", "maxLength": 9}), _spec(param={"type": "string", "maxLength": 4})
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "b.json"),
        load_spec(json.dumps(revision).encode(), "r.json"),
        Options(min_level="INFO", checks=["RequestParameterMaxLengthUpdatedCheck"]),
    )
    (finding,) = report.findings
    assert finding.base_pointer == finding.revision_pointer == "/paths/~1items/post/parameters/0/schema/maxLength"
