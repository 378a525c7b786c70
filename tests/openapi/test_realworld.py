"""The engine on real, large documents (../shared/corpus/realworld): Stripe's 71-schema $ref cycle,
GitHub's `$ref` keys inside example values, OpenAI's 3.1 types and webhooks."""

import json
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


@pytest.mark.parametrize("vendor", ["stripe", "github", "openai"])
def test_real_pairs_diff_completely_with_known_rule_ids(vendor):
    index = json.loads((REALWORLD / "index.json").read_text())
    pairs = [p for p in index["pairs"] if p["base"].startswith(vendor)]
    assert pairs
    for pair in pairs:
        base = load_spec(REALWORLD / pair["base"])
        revision = load_spec(REALWORLD / pair["revision"])
        report = diff_specs(base, revision, Options(min_level="INFO"))
        RULES = all_rules()
        assert all(f.id in RULES and f.level in ("ERR", "WARN", "INFO") for f in report.findings)
        assert report.summary["total"] == len(report.findings)


def test_consecutive_stripe_commits_differ_in_nothing_a_client_sees():
    base = load_spec(REALWORLD / "stripe" / "2023-09-06.yaml")
    revision = load_spec(REALWORLD / "stripe" / "2023-09-07.yaml")
    assert diff_specs(base, revision, Options(min_level="INFO")).findings == []


def test_the_six_month_stripe_pair_reports_breaking_changes_inside_its_cycles():
    base = load_spec(REALWORLD / "stripe" / "2023-03-01.yaml")
    revision = load_spec(REALWORLD / "stripe" / "2023-09-06.yaml")
    report = diff_specs(base, revision, Options(min_level="INFO"))
    assert report.summary["ERR"] > 0
    # Findings whose place in the revision is under a component schema that sits in a cycle.
    cyclic = {"account", "charge", "customer", "invoice", "payment_intent", "subscription"}
    assert any(
        f.revision_pointer and f.revision_pointer.split("/")[3:4] and f.revision_pointer.split("/")[3] in cyclic
        for f in report.findings
        if f.revision_pointer and f.revision_pointer.startswith("/components/schemas/")
    )
