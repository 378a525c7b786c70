"""The remaining oasdiff checks owned by no other family: media type schema existence and
name changes, readOnly/writeOnly flips, components.schemas removed, path-item parameters,
property stability levels (always on)."""

import json

import pytest

from governance.openapi import Options, diff_specs, load_spec


def doc(paths, schemas=None, version="3.0.3"):
    d = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas is not None:
        d["components"] = {"schemas": schemas}
    return load_spec(json.dumps(d).encode(), "o.json")


def run(base, revision, **options):
    return [
        (f.id, f.operation, f.path, f.text)
        for f in diff_specs(base, revision, Options(min_level="INFO", **options)).findings
    ]


def body_op(request_content=None, response_content=None):
    op = {"responses": {"200": {"description": "ok"}}}
    if request_content is not None:
        op["requestBody"] = {"content": request_content}
    if response_content is not None:
        op["responses"]["200"]["content"] = response_content
    return {"/a": {"post": op}}


def test_media_type_schema_added_and_removed():
    schema = {"schema": {"type": "object"}}
    base = doc(body_op({"application/json": {}}, {"application/json": {}}))
    revision = doc(body_op({"application/json": schema}, {"application/json": schema}))
    got = run(base, revision, checks=["MediaTypeSchemaExistenceCheck"])
    assert sorted(i for i, *_ in got) == [
        "request-body-media-type-schema-added",
        "response-body-media-type-schema-added",
    ]
    got = run(revision, base, checks=["MediaTypeSchemaExistenceCheck"])
    assert sorted(i for i, *_ in got) == [
        "request-body-media-type-schema-removed",
        "response-body-media-type-schema-removed",
    ]


@pytest.mark.parametrize(
    "before, after, rule, verb",
    [
        ("application/json", "application/json; charset=utf-8", "response-media-type-name-changed", "changed to"),
        (
            "application/json",
            "application/problem+json",
            "response-media-type-name-specialized",
            "changed to a more specific media type",
        ),
        (
            "application/problem+json",
            "application/json",
            "response-media-type-name-generalized",
            "changed to a more general media type",
        ),
    ],
)
def test_response_media_type_name_updated(before, after, rule, verb):
    media = {"schema": {"type": "string"}}
    got = run(doc(body_op(None, {before: media})), doc(body_op(None, {after: media})))
    assert [(i, t) for i, _o, _p, t in got] == [
        (rule, f"media type `{before}` was {verb} `{after}` for the response status `200`")
    ]


def test_unrelated_media_types_stay_added_and_removed():
    media = {"schema": {"type": "string"}}
    got = run(doc(body_op(None, {"application/json": media})), doc(body_op(None, {"text/plain": media})))
    assert sorted(i for i, *_ in got) == ["response-media-type-added", "response-media-type-removed"]


def object_with(prop, required=()):
    return {
        "schema": {"type": "object", "required": list(required), "properties": {"p": prop, "q": {"type": "string"}}}
    }


@pytest.mark.parametrize("required", [False, True])
def test_request_property_read_only_write_only(required):
    req = ["p"] if required else []
    kind = "required" if required else "optional"
    base = doc(body_op({"application/json": object_with({"type": "string"}, req)}))
    got = run(base, doc(body_op({"application/json": object_with({"type": "string", "readOnly": True}, req)})))
    assert (f"request-{kind}-property-became-read-only", f"the request {kind} property `p` became read-only") in [
        (i, t) for i, _o, _p, t in got
    ]
    got = run(doc(body_op({"application/json": object_with({"type": "string", "writeOnly": True}, req)})), base)
    assert f"request-{kind}-property-became-not-write-only" in [i for i, *_ in got]


def test_response_property_write_only_flips():
    base = doc(body_op(None, {"application/json": object_with({"type": "string", "writeOnly": True}, ["p"])}))
    revision = doc(body_op(None, {"application/json": object_with({"type": "string"}, ["p"])}))
    got = run(base, revision)
    assert (
        "response-required-property-became-not-write-only",
        "the response required property `p` became not write-only for the status `200`",
    ) in [(i, t) for i, _o, _p, t in got]
    got = run(
        doc(body_op(None, {"application/json": object_with({"type": "string"})})),
        doc(body_op(None, {"application/json": object_with({"type": "string", "readOnly": True})})),
        checks=["ResponseOptionalPropertyWriteOnlyReadOnlyCheck"],
    )
    assert [i for i, *_ in got] == ["response-optional-property-became-read-only"]


def test_components_schema_removed():
    paths = {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}
    got = run(doc(paths, {"A": {"type": "string"}, "B": {"type": "string"}}), doc(paths, {"B": {"type": "string"}}))
    assert got == [("api-schema-removed", "", "", "removed the schema `A`")]


def test_path_item_parameter_added_applies_to_every_operation():
    ok = {"responses": {"200": {"description": "ok"}}}
    base = doc({"/a": {"get": ok, "post": ok}})
    revision = doc(
        {
            "/a": {
                "parameters": [
                    {"name": "v", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "h", "in": "header", "schema": {"type": "string"}},
                ],
                "get": ok,
                "post": ok,
            }
        }
    )
    got = sorted(run(base, revision, checks=["NewRequestNonPathDefaultParameterCheck"]))
    assert got == [
        (
            "new-optional-request-default-parameter-to-existing-path",
            "GET",
            "/a",
            "added the new optional `header` request parameter `h` to all path's operations",
        ),
        (
            "new-optional-request-default-parameter-to-existing-path",
            "POST",
            "/a",
            "added the new optional `header` request parameter `h` to all path's operations",
        ),
        (
            "new-required-request-default-parameter-to-existing-path",
            "GET",
            "/a",
            "added the new required `query` request parameter `v` to all path's operations",
        ),
        (
            "new-required-request-default-parameter-to-existing-path",
            "POST",
            "/a",
            "added the new required `query` request parameter `v` to all path's operations",
        ),
    ]


def test_property_stability_is_always_on():
    def spec(level):
        prop = {"type": "string", "x-stability-level": level} if level else {"type": "string"}
        return doc(body_op({"application/json": {"schema": {"type": "object", "properties": {"p": prop}}}}))

    # reported even when only an unrelated check is selected (oasdiff's stability policy)
    got = run(spec("stable"), spec("beta"), checks=["APITagUpdatedCheck"])
    assert got == [
        (
            "request-property-stability-decreased",
            "POST",
            "/a",
            "request property `p` stability level decreased from `stable` to `beta`",
        )
    ]
    assert [i for i, *_ in run(spec("draft"), spec(None), stability_level="draft")] == [
        "request-property-stability-increased"
    ]
    assert run(spec("draft"), spec(None)) == []  # gated on the base level (default threshold beta)
    assert [i for i, *_ in run(spec("stable"), spec("bogus"))] == ["api-invalid-stability-level"]


def test_response_property_annotation_only_all_of_probe():
    # coverage probe for rule_coverage.py: no conformance pair exercises these two ids
    def spec(all_of):
        return doc(
            body_op(None, {"application/json": {"schema": {"type": "object", "properties": {"p": {"allOf": all_of}}}}})
        )

    plain, noted = spec([{"type": "string"}]), spec([{"type": "string"}, {"description": "x"}])
    assert [i for i, *_ in run(plain, noted)] == ["response-property-all-of-added-annotation-only"]
    assert [i for i, *_ in run(noted, plain)] == ["response-property-all-of-removed-annotation-only"]
