"""OpenAPI 3.1 webhooks: oasdiff's WebhookUpdatedCheck (added / removed); modified webhooks
go through the operation checks as ``webhook:<name>`` paths."""

import json

from governance.openapi import Options, diff_specs, load_spec

OP = {
    "post": {
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "ok"}},
    }
}


def spec(webhooks, version="3.1.0"):
    doc = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {}, "webhooks": webhooks}
    return load_spec(json.dumps(doc).encode(), "w.json")


def run(base, revision, **options):
    return [
        (f.id, f.level, f.operation, f.path, f.text, f.base_pointer, f.revision_pointer)
        for f in diff_specs(base, revision, Options(min_level="INFO", **options)).findings
    ]


def test_webhook_added_and_removed():
    got = run(spec({"orderDeleted": OP}), spec({"orderUpdated": OP}), checks=["WebhookUpdatedCheck"])
    assert got == [
        ("webhook-removed", "ERR", "", "", "webhook `orderDeleted` removed", "/webhooks/orderDeleted", None),
        ("webhook-added", "INFO", "", "", "webhook `orderUpdated` added", None, "/webhooks/orderUpdated"),
    ]


def test_no_change_no_finding():
    assert run(spec({"a": OP}), spec({"a": OP})) == []


def test_modified_webhook_operation_is_checked_as_a_path():
    revision = json.loads(json.dumps(OP))
    revision["post"]["responses"] = {"201": {"description": "created"}}
    ids = [(i, path) for i, _l, _o, path, *_ in run(spec({"a": OP}), spec({"a": revision}))]
    assert ("response-success-status-removed", "webhook:a") in ids


def test_webhooks_of_a_30_spec_are_not_compared():
    assert run(spec({"a": OP}, "3.0.3"), spec({}, "3.0.3")) == []
