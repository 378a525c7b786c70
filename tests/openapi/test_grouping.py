"""Say each change once: findings grouped by (rule, origin, direction), in every report format."""

import functools
import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from governance.openapi import Finding, Options, diff_specs, load_spec
from governance.openapi.cli import main
from governance.openapi.groups import group_findings

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT.parent / "shared" / "corpus" / "realworld"
IMG = "<img src=x onerror=alert(1)>"


def pets(status_enum=("sold", "available"), tag_enum=("a", "b"), extra_paths=None, status_name="status"):
    """A Pet component reached from three operations' responses (one through array items, one under
    another property of a 404) and one request body."""
    pet = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            status_name: {"type": "string", "enum": list(status_enum)},
            "tag": {"$ref": "#/components/schemas/Tag"},
        },
    }
    ref = {"$ref": "#/components/schemas/Pet"}

    def ok(schema):
        return {"description": "ok", "content": {"application/json": {"schema": schema}}}

    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths = {
        "/pets": {
            "get": {"responses": {"200": ok({"type": "array", "items": ref})}},
            "post": {"requestBody": {"content": {"application/json": {"schema": ref}}}, "responses": {"201": ok(ref)}},
        },
        "/pets/{id}": {
            "get": {
                "parameters": [id_param],
                "responses": {"200": ok(ref), "404": ok({"type": "object", "properties": {"last": ref}})},
            }
        },
        **(extra_paths or {}),
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "pets", "version": "1"},
        "paths": paths,
        "components": {"schemas": {"Pet": pet, "Tag": {"type": "string", "enum": list(tag_enum)}}},
    }


def diff(base, revision, min_level="INFO"):
    return diff_specs(
        load_spec(json.dumps(base).encode(), filename="base.json"),
        load_spec(json.dumps(revision).encode(), filename="revision.json"),
        Options(min_level=min_level),
    )


def by_rule(report):
    return {g.rule: g for g in report.groups}


def run_cli(tmp_path, base, revision, *argv):
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "revision.json").write_text(json.dumps(revision))
    out, err = io.StringIO(), io.StringIO()
    code = main(["diff", str(tmp_path / "base.json"), str(tmp_path / "revision.json"), *argv], stdout=out, stderr=err)
    assert code == 0 and err.getvalue() == ""
    return out.getvalue()


STATUS_ENUM = "/components/schemas/Pet/properties/status/enum"


def test_a_change_in_a_shared_component_is_one_group_with_the_operations_it_reaches():
    report = diff(pets(), pets(status_enum=("sold",)))
    response = by_rule(report)["response-property-enum-value-removed"]
    assert (response.base_pointer, response.revision_pointer) == (STATUS_ENUM, STATUS_ENUM)
    assert response.origin == "#" + STATUS_ENUM
    assert response.operations == ["GET /pets", "POST /pets", "GET /pets/{id}"]
    assert response.occurrences == 4  # GET /pets/{id} reaches it twice: 200 and 404 (under `last`)
    assert response.text == (
        "removed the `available` enum value from the `…/status` response property for the response status "
        "`200`, `201`, `404` — schema `Pet`, in the responses of 3 operations, 4 places"
    )
    # each occurrence is still there, with the part of the operation it came through
    assert sorted((f.operation, f.path, f.via) for f in response.findings) == [
        ("GET", "/pets", "response 200 application/json"),
        ("GET", "/pets/{id}", "response 200 application/json"),
        ("GET", "/pets/{id}", "response 404 application/json"),
        ("POST", "/pets", "response 201 application/json"),
    ]
    assert len(report.groups) == 2 and sum(g.occurrences for g in report.groups) == len(report.findings) == 5


def test_request_and_response_are_kept_apart_and_a_group_has_its_highest_level():
    report = diff(pets(), pets(status_enum=("sold",)))
    request = by_rule(report)["request-property-enum-value-removed"]
    response = by_rule(report)["response-property-enum-value-removed"]
    assert (request.direction, request.level, request.operations) == ("request", "ERR", ["POST /pets"])
    assert (response.direction, response.level) == ("response", "INFO")
    assert request.text.endswith("— schema `Pet`, in the requests of POST /pets")
    assert report.groups[0] is request  # ERR first
    # the same rule at the same place, once from a request and once from a response site: two groups
    findings = [
        Finding("api-schema-removed", level, method, "/a", "t", STATUS_ENUM, STATUS_ENUM, direction=direction)
        for level, method, direction in [
            ("WARN", "GET", "request"),
            ("WARN", "GET", "response"),
            ("WARN", "POST", "response"),
            ("ERR", "PUT", "response"),
        ]
    ]
    groups = group_findings(findings)
    assert [(g.direction, g.level, g.occurrences) for g in groups] == [("response", "ERR", 3), ("request", "WARN", 1)]
    assert groups[0].id != groups[1].id


def test_an_operation_check_finding_takes_the_direction_its_rule_names():
    base = pets()
    revision = pets()
    del revision["paths"]["/pets/{id}"]["get"]["responses"]["200"]
    group = by_rule(diff(base, revision))["response-success-status-removed"]
    assert group.direction == "response" and group.findings[0].via == ""
    assert group.origin == "#/paths/~1pets~1{id}/get/responses/200"
    assert group.text.endswith("in the responses of GET /pets/{id}")


def test_group_ids_are_the_same_in_every_process(tmp_path):
    (tmp_path / "base.json").write_text(json.dumps(pets()))
    (tmp_path / "revision.json").write_text(json.dumps(pets(status_enum=("sold",), tag_enum=("a",))))
    runs = []
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-m", "governance.openapi", "diff", "base.json", "revision.json", "--format", "json"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append([(g["rule"], g["id"]) for g in json.loads(result.stdout)["groups"]])
    assert runs[0] == runs[1] and len(runs[0]) == 4  # two enums, each in the requests and the responses


def test_a_group_keeps_its_id_when_an_unrelated_change_is_added():
    first = diff(pets(), pets(status_enum=("sold",)))
    extra = {"/owners": {"get": {"responses": {"200": {"description": "ok"}}}}}
    second = diff(pets(), pets(status_enum=("sold",), tag_enum=("a", "b", "c"), extra_paths=extra))
    before = {g.id: (g.rule, g.occurrences, g.operations) for g in first.groups}
    after = {g.id: (g.rule, g.occurrences, g.operations) for g in second.groups}
    assert len(after) > len(before) and {i: after[i] for i in before} == before
    # and a different change at another place is another group
    renamed = diff(pets(status_name="state"), pets(status_enum=("sold",), status_name="state"))
    assert not {g.id for g in renamed.groups} & set(before)


def test_json_keeps_every_change_and_adds_the_groups(tmp_path):
    data = json.loads(run_cli(tmp_path, pets(), pets(status_enum=("sold",)), "--format", "json"))
    assert len(data["changes"]) == 5 and data["summary"]["total"] == 5
    assert set(data["changes"][0]) == {"id", "level", "operation", "path", "text", "base_pointer", "revision_pointer"}
    assert data["group_summary"] == {"total": 2, "ERR": 1, "WARN": 0, "INFO": 1}
    response = next(g for g in data["groups"] if g["rule"] == "response-property-enum-value-removed")
    assert {k: response[k] for k in ("level", "origin", "direction", "occurrences", "operations")} == {
        "level": "INFO",
        "origin": "#" + STATUS_ENUM,
        "direction": "response",
        "occurrences": 4,
        "operations": ["GET /pets", "POST /pets", "GET /pets/{id}"],
    }
    assert len(response["id"]) == 16 and "schema `Pet`" in response["text"]
    # each change belongs to exactly one group, by its index in `changes`
    indices = sorted(i for g in data["groups"] for i in g["changes"])
    assert indices == list(range(5))
    assert {data["changes"][i]["id"] for i in response["changes"]} == {"response-property-enum-value-removed"}


def test_group_none_gives_the_flat_list(tmp_path):
    base, revision = pets(), pets(status_enum=("sold",))
    data = json.loads(run_cli(tmp_path, base, revision, "--format", "json", "--group", "none"))
    assert "groups" not in data and len(data["changes"]) == 5
    text = run_cli(tmp_path, base, revision, "--min-level", "INFO", "--group", "none")
    assert text.startswith("5 changes: 1 error, 0 warning, 4 info")
    assert text.count("[response-property-enum-value-removed] at ") == 4


def test_text_prints_each_group_once_with_its_origin(tmp_path):
    text = run_cli(tmp_path, pets(), pets(status_enum=("sold",)), "--min-level", "INFO")
    lines = text.splitlines()
    assert lines[0] == "2 changes (5 occurrences): 1 error, 0 warning, 1 info"
    assert lines[2].startswith("ERR  [request-property-enum-value-removed] removed the enum value `available`")
    assert lines[3].startswith(f"     at #{STATUS_ENUM}  (group ")
    assert text.count("[response-property-enum-value-removed]") == 1 and len(lines) == 6


def test_markdown_prints_one_escaped_row_per_group(tmp_path):
    name = f"a`{IMG}|b"
    out = run_cli(
        tmp_path, pets(status_name=name), pets(status_enum=("sold",), status_name=name), "--format", "markdown"
    )
    assert "<" not in out and ">" not in out  # the name stays text
    rows = [line for line in out.splitlines() if line.startswith("| ERR") or line.startswith("| INFO")]
    assert len(rows) == 1  # WARN and above by default: the request group only
    assert rows[0].startswith("| ERR | `request-property-enum-value-removed` | removed the enum value `available` of")
    assert "``a`&lt;img src=x onerror=alert(1)&gt;\\|b``" in rows[0]
    assert rows[0].count(" | ") == 3  # the pipe in the name did not split a cell


def test_html_shows_each_occurrence_behind_a_toggle(tmp_path):
    name = f"s{IMG}"
    out = run_cli(
        tmp_path,
        pets(status_name=name),
        pets(status_enum=("sold",), status_name=name),
        "--format",
        "html",
        "--min-level",
        "INFO",
    )
    assert IMG not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert out.count("<details>") == 2 and out.count("<tr><td>") == 5
    response = out[out.index("response-property-enum-value-removed") :]
    assert "in the responses of 3 operations, 4 places" in response
    assert "<td>response 404 application/json</td>" in response


def test_findings_keep_their_direction_and_part_when_pickled():
    finding = diff(pets(), pets(status_enum=("sold",))).findings[0]
    copy = pickle.loads(pickle.dumps(finding))
    assert copy == finding and (copy.direction, copy.via) == ("request", "request body application/json")


# --- the real pairs ----------------------------------------------------------------------------------

# At most this many groups at all levels (the README's table has the figures). One per (rule, place):
# a rule added later can add places (Stripe: 580 with oasdiff's rules; its 99 inline request
# properties that became `anyOf` are each a place of their own).
REAL_PAIRS = {
    ("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml"): 750,
    ("github/2021-03-29.json", "github/2021-09-29.json"): 1400,
    ("openai/2026-05-13.yaml", "openai/2026-08-13.yaml"): 300,
}


@functools.cache
def real_report(base, revision):
    return diff_specs(load_spec(REALWORLD / base), load_spec(REALWORLD / revision), Options(min_level="INFO"))


@pytest.mark.parametrize(("base", "revision"), list(REAL_PAIRS), ids=[b.split("/")[0] for b, _ in REAL_PAIRS])
def test_a_real_pair_reads_as_one_entry_per_change(base, revision):
    report = real_report(base, revision)
    groups = report.groups
    assert len(groups) <= REAL_PAIRS[(base, revision)]
    assert len(report.findings) >= 4 * len(groups)  # the point: far fewer entries than findings
    assert sum(g.occurrences for g in groups) == len(report.findings)
    assert len({g.id for g in groups}) == len(groups)
    for g in groups:
        assert {(f.id, f.base_pointer, f.revision_pointer) for f in g.findings} == {
            (g.rule, g.base_pointer, g.revision_pointer)
        }
    levels = [g.level for g in groups]
    assert levels == sorted(levels, key=["ERR", "WARN", "INFO"].index)


def test_stripes_tax_id_enum_is_one_entry_for_hundreds_of_operations():
    report = real_report("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml")
    group = next(
        g
        for g in report.groups
        if g.rule == "response-property-enum-value-added"
        and g.origin == "#/components/schemas/tax_id/properties/type/enum"
    )
    assert len(group.operations) > 400 and group.occurrences > 5000
    assert "— schema `tax_id`, in the responses of " in group.text
    assert f"{len(group.operations):,} operations, {group.occurrences:,} places" in group.text
    assert " and " in group.text and " more enum value" in group.text  # the added values, summarised
