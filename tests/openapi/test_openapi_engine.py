"""Engine behaviour: self-diff is empty (property test), path shape matching, options."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.openapi import Options, diff_specs, load_spec
from governance.openapi.checks import load_families
from governance.openapi.checks.registry import OPERATION_CHECKS, SCHEMA_CHECKS, SPEC_CHECKS

names = st.text(alphabet="abcdefgh", min_size=1, max_size=6)
scalar_schema = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "boolean", "number"])},
    optional={
        "nullable": st.booleans(),
        "maxLength": st.integers(0, 99),
        "enum": st.lists(names, max_size=3),
        "deprecated": st.booleans(),
    },
)
schemas = st.recursive(
    scalar_schema | st.just({"$ref": "#/components/schemas/Shared"}),
    lambda inner: (
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(names, inner, max_size=3)},
            optional={"required": st.lists(names, max_size=2)},
        )
        | st.fixed_dictionaries({"type": st.just("array"), "items": inner})
        | st.fixed_dictionaries({"oneOf": st.lists(inner, min_size=1, max_size=3)})
    ),
    max_leaves=8,
)
parameters = st.lists(
    st.fixed_dictionaries(
        {"name": names, "in": st.sampled_from(["query", "header"]), "schema": scalar_schema},
        optional={"required": st.booleans(), "deprecated": st.booleans()},
    ),
    max_size=3,
)
operations = st.fixed_dictionaries(
    {
        "responses": st.dictionaries(
            st.sampled_from(["200", "201", "400", "default"]),
            st.fixed_dictionaries(
                {
                    "description": st.just("ok"),
                    "content": st.fixed_dictionaries({"application/json": st.fixed_dictionaries({"schema": schemas})}),
                }
            ),
            min_size=1,
            max_size=2,
        )
    },
    optional={
        "parameters": parameters,
        "deprecated": st.booleans(),
        "tags": st.lists(names, max_size=2),
        "x-stability-level": st.sampled_from(["draft", "alpha", "beta", "stable", "bogus"]),
        "x-sunset": st.sampled_from(["2022-01-01", "9999-01-01", "nope"]),
        "requestBody": st.fixed_dictionaries(
            {"content": st.fixed_dictionaries({"application/json": st.fixed_dictionaries({"schema": schemas})})}
        ),
    },
)
specs = st.fixed_dictionaries(
    {
        "openapi": st.sampled_from(["3.0.3", "3.1.0"]),
        "info": st.just({"title": "t", "version": "1"}),
        "paths": st.dictionaries(
            names.map(lambda n: f"/{n}/{{id}}"),
            st.dictionaries(st.sampled_from(["get", "post", "delete"]), operations, min_size=1),
            max_size=3,
        ),
        "components": st.fixed_dictionaries({"schemas": st.fixed_dictionaries({"Shared": scalar_schema})}),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_any_spec_against_itself_reports_nothing(document):
    text = json.dumps(document).encode()
    report = diff_specs(load_spec(text, "a.json"), load_spec(text, "b.json"), Options(min_level="INFO"))
    assert report.findings == []


def _spec(paths_yaml: str) -> bytes:
    return ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + paths_yaml).encode()


def test_path_parameter_rename_is_not_breaking():
    base = _spec(
        "  /a/{id}:\n    get:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
        "      responses: {'200': {description: ok}}\n"
    )
    revision = base.replace(b"{id}", b"{key}").replace(b"name: id", b"name: key")
    assert diff_specs(load_spec(base), load_spec(revision), Options()).findings == []


def test_draft_operations_are_ignored_by_default():
    base = _spec(
        "  /a:\n    get:\n      x-stability-level: draft\n      parameters: [{name: q, in: query, schema: {type: string}}]\n"
        "      responses: {'200': {description: ok}}\n"
    )
    revision = base.replace(b"      parameters: [{name: q, in: query, schema: {type: string}}]\n", b"")
    assert diff_specs(load_spec(base), load_spec(revision), Options()).findings == []
    report = diff_specs(load_spec(base), load_spec(revision), Options(stability_level="draft"))
    assert report.ids() == ["request-parameter-removed"]


def test_checks_selection_runs_only_selected_checks():
    base = _spec(
        "  /a:\n    get:\n      tags: [x]\n      responses: {'200': {description: ok}}\n"
        "  /b:\n    get:\n      responses: {'200': {description: ok}}\n"
    )
    revision = _spec("  /a:\n    get:\n      tags: [y]\n      responses: {'200': {description: ok}}\n")
    report = diff_specs(load_spec(base), load_spec(revision), Options(checks=["APITagUpdatedCheck"]))
    assert sorted(report.ids()) == ["api-tag-added", "api-tag-removed"]


def test_every_registered_check_names_an_oasdiff_check():
    from governance.openapi.rules import all_rules

    load_families()
    known = {r.check for r in all_rules().values()}
    for fn in SPEC_CHECKS + OPERATION_CHECKS + SCHEMA_CHECKS:
        if getattr(fn, "always_on", False):
            continue  # stability policy: oasdiff's function names, no owning check in rules.json
        assert fn.oasdiff_checks <= known, fn.__name__
