"""Property tests over generated specs, stronger than test_openapi_engine's: every part of the
document the families read (security, schemes, webhooks, headers, path-item parameters,
compositions, readOnly/writeOnly, stability levels, recursive component refs, examples holding
``$ref``) is generated, and

* a spec diffed against itself reports nothing, whatever checks run and at any level;
* reordering every mapping's keys changes nothing either (order carries no meaning in a mapping).
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.openapi import Options, diff_specs, load_spec

names = st.text(alphabet="abcdef", min_size=1, max_size=5)
scalar = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "boolean", "number"])},
    optional={
        "nullable": st.booleans(),
        "maxLength": st.integers(0, 9),
        "minimum": st.integers(-5, 5),
        "enum": st.lists(names, max_size=3, unique=True),
        "deprecated": st.booleans(),
        "readOnly": st.booleans(),
        "writeOnly": st.booleans(),
        "format": st.sampled_from(["date", "int64"]),
        "x-stability-level": st.sampled_from(["draft", "beta", "stable", "bogus"]),
        "example": st.just({"$ref": "https://example.com/not-a-ref"}),
        "default": names,
    },
)
ref = st.sampled_from([{"$ref": "#/components/schemas/Node"}, {"$ref": "#/components/schemas/Leaf"}])
schemas = st.recursive(
    scalar | ref,
    lambda inner: (
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(names, inner, max_size=3)},
            optional={
                "required": st.lists(names, max_size=2, unique=True),
                "additionalProperties": inner | st.booleans(),
            },
        )
        | st.fixed_dictionaries({"type": st.just("array"), "items": inner}, optional={"maxItems": st.integers(0, 5)})
        | st.fixed_dictionaries({"oneOf": st.lists(inner, min_size=1, max_size=3)})
        | st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=2)})
        | st.fixed_dictionaries({"allOf": st.lists(inner, min_size=1, max_size=2)})
    ),
    max_leaves=8,
)
security = st.lists(
    st.dictionaries(
        st.sampled_from(["oauth", "key", "basic"]),
        st.lists(st.sampled_from(["read", "write", "admin"]), max_size=2, unique=True),
        max_size=2,
    ),
    max_size=3,
)
parameter = st.fixed_dictionaries(
    {"name": names, "in": st.sampled_from(["query", "header", "cookie"]), "schema": schemas},
    optional={
        "required": st.booleans(),
        "deprecated": st.booleans(),
        "x-sunset": st.sampled_from(["2022-01-01", "9999-01-01", "nope"]),
    },
)
headers = st.dictionaries(
    names, st.fixed_dictionaries({"schema": scalar}, optional={"required": st.booleans()}), max_size=2
)
media = st.dictionaries(
    st.sampled_from(["application/json", "application/problem+json", "text/plain", "application/json; charset=utf-8"]),
    st.fixed_dictionaries({}, optional={"schema": schemas}),
    min_size=1,
    max_size=2,
)
operation = st.fixed_dictionaries(
    {
        "responses": st.dictionaries(
            st.sampled_from(["200", "201", "400", "default"]),
            st.fixed_dictionaries({"description": st.just("ok")}, optional={"content": media, "headers": headers}),
            min_size=1,
            max_size=2,
        )
    },
    optional={
        "parameters": st.lists(parameter, max_size=3),
        "security": security,
        "deprecated": st.booleans(),
        "tags": st.lists(names, max_size=2),
        "operationId": names,
        "x-stability-level": st.sampled_from(["alpha", "beta", "stable"]),
        "requestBody": st.fixed_dictionaries({"content": media}, optional={"required": st.booleans()}),
    },
)
path_item = st.dictionaries(st.sampled_from(["get", "post", "put", "delete"]), operation, min_size=1).flatmap(
    lambda ops: st.fixed_dictionaries(
        {k: st.just(v) for k, v in ops.items()}, optional={"parameters": st.lists(parameter, max_size=2)}
    )
)
scheme = st.sampled_from(
    [
        {"type": "http", "scheme": "basic"},
        {"type": "apiKey", "in": "header", "name": "k"},
        {
            "type": "oauth2",
            "flows": {"implicit": {"authorizationUrl": "https://a/x", "scopes": {"read": "r", "write": "w"}}},
        },
    ]
)
specs = st.fixed_dictionaries(
    {
        "openapi": st.sampled_from(["3.0.3", "3.1.0"]),
        "info": st.just({"title": "t", "version": "1"}),
        "paths": st.dictionaries(names.map(lambda n: f"/{n}/{{id}}"), path_item, max_size=3),
        "components": st.fixed_dictionaries(
            {
                "schemas": st.fixed_dictionaries(
                    {
                        "Leaf": scalar,
                        # recursive: Node refers to itself
                        "Node": st.just(
                            {
                                "type": "object",
                                "properties": {
                                    "next": {"$ref": "#/components/schemas/Node"},
                                    "leaf": {"$ref": "#/components/schemas/Leaf"},
                                },
                            }
                        ),
                    }
                ),
                "securitySchemes": st.dictionaries(st.sampled_from(["oauth", "key", "basic"]), scheme, max_size=3),
            }
        ),
    },
    optional={"security": security, "webhooks": st.dictionaries(names, path_item, max_size=2)},
)


def _shuffled(node, rng):
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(node, list):
        return [_shuffled(v, rng) for v in node]
    return node


def _diff(a, b, **options):
    return diff_specs(
        load_spec(json.dumps(a).encode(), "a.json"),
        load_spec(json.dumps(b).encode(), "b.json"),
        Options(min_level="INFO", **options),
    ).findings


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs, st.sampled_from(["beta", "draft"]))
def test_spec_against_itself_reports_nothing(document, stability_level):
    assert _diff(document, document, stability_level=stability_level) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs, st.randoms(use_true_random=False))
def test_mapping_key_order_is_irrelevant(document, rng):
    assert _diff(document, _shuffled(document, rng)) == []
    assert _diff(_shuffled(document, rng), document) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs, specs)
def test_any_two_specs_compare_without_crashing(a, b):
    # robustness: every family runs on arbitrary pairs; findings are well formed and sorted
    findings = _diff(a, b)
    assert all(f.text and f.level in ("INFO", "WARN", "ERR") for f in findings)
    assert findings == sorted(findings, key=lambda f: f.sort_key())
