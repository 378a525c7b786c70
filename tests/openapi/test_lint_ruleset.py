"""The Spectral ruleset format: extends modes, severities by name, aliases, overrides, message
templates, and ruleset errors naming the rule."""

from __future__ import annotations

import os
from typing import Any

import pytest

from governance.openapi.lint import Document, RulesetError, build_ruleset, lint, load_ruleset

DOC = """
openapi: 3.0.0
info: {title: Pets, version: "1.0"}
servers: [{url: "https://api.test/"}]
paths:
  /pets:
    get:
      operationId: listPets
      responses: {"200": {description: ok}}
"""


def codes(ruleset: dict[str, Any], text: str = DOC, source: str = "doc.yaml") -> list[tuple[str, int]]:
    return [
        (r.code, r.severity)
        for r in lint(Document(text, source), build_ruleset(ruleset, source if os.path.isabs(source) else "<ruleset>"))
    ]


def test_extends_modes() -> None:
    recommended = {c for c, _ in codes({"extends": ["spectral:oas"]})}
    assert {"info-contact", "info-description", "operation-description", "operation-tags"} <= recommended
    assert "info-license" not in recommended  # recommended: false in spectral:oas
    assert "info-license" in {c for c, _ in codes({"extends": [["spectral:oas", "all"]]})}
    assert codes({"extends": [["spectral:oas", "off"]]}) == []


def test_one_rule_alone_and_severities_by_name() -> None:
    alone = {"extends": [["spectral:oas", "off"]], "rules": {"operation-description": True}}
    assert codes(alone) == [("operation-description", 1)]
    raised = {"extends": [["spectral:oas", "off"]], "rules": {"info-license": "error"}}
    assert codes(raised) == [("info-license", 0)]
    silenced = {"extends": ["spectral:oas"], "rules": {"operation-tags": "off", "info-contact": False}}
    assert not {"operation-tags", "info-contact"} & {c for c, _ in codes(silenced)}


def test_message_templates() -> None:
    rule = {
        "given": "$.paths[*][*]",
        "description": "Operations need a summary",
        "message": "{{description}}: {{property}} at {{path}} ({{error}}) value={{value}}",
        "then": {"field": "summary", "function": "truthy"},
    }
    (result,) = lint(Document(DOC, "doc.yaml"), build_ruleset({"rules": {"summary": rule}}))
    assert result.message == (
        'Operations need a summary: get.summary at #/paths/~1pets/get ("get.summary" property must be truthy) '
        "value=[object Object]"
    )


def test_aliases_with_format_targets() -> None:
    ruleset = {
        "aliases": {
            "Op": {
                "targets": [
                    {"formats": ["oas3"], "given": ["$.paths[*][get]"]},
                    {"formats": ["oas2"], "given": ["$.nothing"]},
                ]
            }
        },
        "rules": {"op-summary": {"given": "#Op", "then": {"field": "summary", "function": "truthy"}}},
    }
    assert codes(ruleset) == [("op-summary", 1)]


def test_rule_formats_limit_where_a_rule_runs() -> None:
    rule = {"given": "$", "formats": ["oas2"], "then": {"field": "host", "function": "truthy"}}
    assert codes({"rules": {"host": rule}}) == []


def test_overrides_by_file_and_by_pointer(tmp_path: Any) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(DOC)
    ruleset_file = tmp_path / ".spectral.yaml"
    ruleset_file.write_text(
        """
extends: [[spectral:oas, off]]
rules:
  operation-description: error
  info-description: warn
overrides:
  - files: ["api.yaml#/paths/~1pets"]
    rules: {operation-description: hint}
  - files: ["*.yaml"]
    rules: {info-description: "off"}
"""
    )
    results = lint(Document.from_file(str(spec)), load_ruleset(str(ruleset_file)))
    assert [(r.code, r.severity) for r in results] == [("operation-description", 3)]


def test_extends_a_local_ruleset_file(tmp_path: Any) -> None:
    (tmp_path / "base.yaml").write_text(
        "rules:\n  title-needed: {given: $.info, then: {field: summary, function: truthy}}\n"
    )
    (tmp_path / "child.yaml").write_text("extends: [./base.yaml]\nrules:\n  title-needed: error\n")
    results = lint(Document(DOC, "doc.yaml"), load_ruleset(str(tmp_path / "child.yaml")))
    assert [(r.code, r.severity) for r in results] == [("title-needed", 0)]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"r1": {"given": "$.paths[", "then": {"function": "truthy"}}}, r'rule "r1": invalid JSONPath'),
        (
            {"r2": {"given": "$", "then": {"function": "noSuchFunction"}}},
            r'rule "r2": unknown function "noSuchFunction"',
        ),
        (
            {"r3": {"given": "$", "then": {"function": "schema", "functionOptions": {"schema": {"type": 5}}}}},
            r'rule "r3": invalid JSON Schema',
        ),
        ({"r4": {"given": "#Nope", "then": {"function": "truthy"}}}, r'rule "r4": alias "#Nope" does not exist'),
        ({"r5": {"given": "$", "severity": "fatal", "then": {"function": "truthy"}}}, r'rule "r5": invalid severity'),
        ({"r6": {"then": {"function": "truthy"}}}, r'rule "r6": missing "given"'),
        ({"r7": "error"}, r'rule "r7": not defined by any extended ruleset'),
    ],
)
def test_ruleset_errors_name_the_rule(rules: dict[str, Any], expected: str) -> None:
    with pytest.raises(RulesetError, match=expected):
        build_ruleset({"rules": rules})


def test_a_javascript_function_is_refused_with_a_message_saying_so() -> None:
    ruleset = {"functions": ["checkThing"], "rules": {"js": {"given": "$", "then": {"function": "checkThing"}}}}
    with pytest.raises(RulesetError, match=r'rule "js": function "checkThing" is a JavaScript function'):
        build_ruleset(ruleset)
