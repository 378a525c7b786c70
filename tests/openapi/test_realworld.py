"""The engine on real, large documents (../shared/corpus/realworld): Stripe's 71-schema $ref cycle,
GitHub's `$ref` keys inside example values, OpenAI's 3.1 types and webhooks."""

import functools
import json
from collections import Counter
from pathlib import Path

import pytest

from governance.openapi import Options, diff_specs, load_spec
from governance.openapi.rules import all_rules

REALWORLD = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"

CYCLIC = """
openapi: 3.0.3
info: {title: tree, version: '1'}
paths:
  /nodes/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: a node and its subtree
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [label]
      properties:
        label: {$ref: '#/components/schemas/Label'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
    Label:
      type: object
      required: [text]
      properties:
        text: {type: string}
        owner: {$ref: '#/components/schemas/Node'}
"""


def test_a_change_inside_a_ref_cycle_is_reported():
    base = load_spec(CYCLIC.encode(), filename="base.yaml")
    revision = load_spec(CYCLIC.replace("required: [text]", "required: []").encode(), filename="rev.yaml")
    report = diff_specs(base, revision, Options(min_level="INFO"))
    ids = {f.id for f in report.findings}
    assert "response-required-property-became-optional" in ids or "response-property-became-optional" in ids
    finding = next(f for f in report.findings if "became-optional" in f.id)
    assert finding.operation == "GET" and finding.path == "/nodes/{id}"
    assert "text" in finding.text


# What each pair reports (Options(min_level="INFO")): the count per level, and rule ids that must be
# among the findings with their exact counts. A check that stops firing, fires twice, or changes level
# moves one of these figures; when a deliberate change of a rule moves them, update them here (and
# say why in the commit: `python benchmarks/dump_findings.py` writes every pair's findings).
# Beyond oasdiff (console_rules.py): Stripe +17 ERR request-body-encoding-changed (a part's style moved
# to deepObject), +100 INFO request-*-max-length-unset; GitHub +5 ERR request-body-additional-properties-
# narrowed (true -> false), +1 WARN request-property-max-properties-set; OpenAI -8 INFO any-of added/removed
# (a renamed component, same content) +7 INFO request-property-max-length-unset.
EXPECTED = {
    ("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml"): (
        {"ERR": 3470, "WARN": 38049, "INFO": 31240},
        {
            "response-property-type-changed": 1704,
            "response-property-max-length-unset": 1698,
            "response-property-became-optional": 32,
            "response-property-enum-value-added": 35528,
            "response-optional-property-removed": 2510,
            "request-property-removed": 11,
            "response-optional-property-added": 22217,
            "response-property-any-of-added": 4008,
        },
    ),
    ("stripe/2023-09-06.yaml", "stripe/2023-09-07.yaml"): ({"ERR": 0, "WARN": 0, "INFO": 0}, {}),
    ("github/2021-03-29.json", "github/2021-09-29.json"): (
        {"ERR": 491, "WARN": 240, "INFO": 16771},
        {
            "response-property-became-optional": 124,
            "request-body-became-required": 122,
            "response-property-became-nullable": 78,
            "response-property-type-changed": 48,
            "response-property-enum-value-added": 173,
            "response-optional-property-removed": 62,
            "response-required-property-added": 10273,
            "response-property-type-specialized": 669,
            "api-operation-id-removed": 2,
            "api-tag-added": 1,
            "api-tag-removed": 1,
        },
    ),
    ("github/2021-09-29.json", "github/2021-09-30.json"): (
        {"ERR": 0, "WARN": 0, "INFO": 4},
        {"response-optional-property-added": 3, "response-non-success-status-removed": 1},
    ),
    ("openai/2026-05-13.yaml", "openai/2026-08-13.yaml"): (
        {"ERR": 109, "WARN": 200, "INFO": 941},
        {
            "response-property-one-of-added": 42,
            "response-property-became-optional": 22,
            "response-property-min-length-decreased": 17,
            "response-property-list-of-types-widened": 12,
            "response-property-enum-value-added": 190,
            "response-optional-property-removed": 8,
            "request-property-removed": 2,
            "response-optional-property-added": 443,
            "new-optional-request-property": 191,
            "request-parameter-property-enum-value-added": 93,
        },
    ),
    ("openai/2026-08-12.yaml", "openai/2026-08-13.yaml"): ({"ERR": 0, "WARN": 0, "INFO": 10}, {}),
}


def _pairs():
    return json.loads((REALWORLD / "index.json").read_text())["pairs"]


@functools.cache
def _findings(base: str, revision: str) -> tuple:
    """The pair's findings, diffed once per test run (the tests below read them)."""
    report = diff_specs(load_spec(REALWORLD / base), load_spec(REALWORLD / revision), Options(min_level="INFO"))
    return tuple(report.findings), report.summary


def test_every_pair_of_the_corpus_has_its_expectations():
    assert {(p["base"], p["revision"]) for p in _pairs()} == set(EXPECTED)


@pytest.mark.parametrize(("base", "revision"), list(EXPECTED), ids=[f"{b}->{r}" for b, r in EXPECTED])
def test_each_real_pair_reports_its_findings(base, revision):
    findings, summary = _findings(base, revision)
    levels, rules = EXPECTED[(base, revision)]
    rules_known = all_rules()
    assert all(f.id in rules_known and f.level in ("ERR", "WARN", "INFO") for f in findings)
    assert Counter(f.level for f in findings) == Counter({k: v for k, v in levels.items() if v})
    assert {k: summary[k] for k in levels} == levels and summary["total"] == len(findings)
    counts = Counter(f.id for f in findings)
    assert {rule: counts[rule] for rule in rules} == rules
    assert all(f.text for f in findings)  # every finding says what changed


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: f"{p['base']}->{p['revision']}")
def test_operation_and_schema_changes_match_the_corpus_index(pair):
    """The corpus index (../shared/corpus/realworld/index.json) counted, independently of the engine,
    the operations added, removed and newly deprecated and the schemas removed of each pair."""
    findings, _ = _findings(pair["base"], pair["revision"])
    counts = Counter(f.id for f in findings)
    assert counts["endpoint-added"] == pair["operations_added"]
    assert counts["endpoint-deprecated"] == pair["operations_newly_deprecated"]
    removed = counts["api-path-removed-without-deprecation"] + counts["api-path-removed-with-deprecation"]
    assert removed == pair["operations_removed"]
    assert counts["api-schema-removed"] == pair["schemas_removed"]


def test_a_late_github_change_is_reported_where_it_happened():
    findings, _ = _findings("github/2021-09-29.json", "github/2021-09-30.json")
    assert sorted((f.level, f.id, f.operation, f.path) for f in findings) == [
        (
            "INFO",
            "response-non-success-status-removed",
            "GET",
            "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}",
        ),
        *[("INFO", "response-optional-property-added", "GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/timing")]
        * 3,
    ]
    added = sorted(f.text for f in findings if f.id == "response-optional-property-added")
    assert [t.split("`")[1] for t in added] == [
        "billable/MACOS/job_runs",
        "billable/UBUNTU/job_runs",
        "billable/WINDOWS/job_runs",
    ]


def test_consecutive_stripe_commits_differ_in_nothing_a_client_sees():
    assert _findings("stripe/2023-09-06.yaml", "stripe/2023-09-07.yaml")[0] == ()


def test_the_six_month_stripe_pair_reports_breaking_changes_inside_its_cycles():
    findings, summary = _findings("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml")
    assert summary["ERR"] > 0
    # Findings whose place in the revision is under a component schema that sits in a cycle.
    cyclic = {"account", "charge", "customer", "invoice", "payment_intent", "subscription"}
    assert any(
        f.revision_pointer and f.revision_pointer.split("/")[3:4] and f.revision_pointer.split("/")[3] in cyclic
        for f in findings
        if f.revision_pointer and f.revision_pointer.startswith("/components/schemas/")
    )
