"""The lint command's contract: exit codes, default ruleset discovery, output formats."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from governance.openapi.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPEC = """openapi: 3.0.0
info:
  title: Pets
  version: "1.0"
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
  /pets/{id}:
    get:
      operationId: getPet
      description: One pet.
      tags: [pets]
      responses:
        "200":
          description: ok
"""


def lint(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["lint", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC)
    return path


def test_json_is_spectrals_shape_with_source_ranges(spec: Path) -> None:
    code, out, _ = lint(str(spec), "--format", "json")
    results = json.loads(out)
    assert code == 1  # path-params is an error: /pets/{id} does not define {id}
    by_code = {r["code"]: r for r in results}
    assert set(by_code) >= {
        "path-params",
        "operation-description",
        "operation-tags",
        "info-contact",
        "oas3-api-servers",
    }
    assert all(set(r) == {"code", "path", "message", "severity", "range", "source"} for r in results)
    described = by_code["operation-description"]
    assert described["path"] == ["paths", "/pets", "get"] and described["severity"] == 1
    # 0-based: "    get:" is line 6 (0-based 5); the range starts right after the colon
    assert described["range"]["start"] == {"line": 6, "character": 8}
    assert (
        by_code["path-params"]["message"] == 'Operation must define parameter "{id}" as expected by path "/pets/{id}".'
    )


def test_fail_severity_and_exit_codes(spec: Path, tmp_path: Path) -> None:
    one_rule = tmp_path / "one.json"
    one_rule.write_text(json.dumps({"extends": [["spectral:oas", "off"]], "rules": {"operation-description": True}}))
    code, out, _ = lint(str(spec), "--ruleset", str(one_rule), "--format", "json")
    assert code == 0 and [r["code"] for r in json.loads(out)] == ["operation-description"]
    assert lint(str(spec), "--ruleset", str(one_rule), "--fail-severity", "warn")[0] == 1
    assert lint(str(spec), "--ruleset", str(one_rule), "--fail-severity", "hint")[0] == 1


def test_ruleset_beside_the_document_is_used(spec: Path) -> None:
    (spec.parent / ".spectral.yaml").write_text("extends: [[spectral:oas, off]]\nrules:\n  info-contact: error\n")
    code, out, _ = lint(str(spec), "--format", "json")
    assert code == 1 and [r["code"] for r in json.loads(out)] == ["info-contact"]


@pytest.mark.parametrize(
    ("content", "ruleset", "message"),
    [
        ("openapi: [unclosed", None, "not valid YAML"),
        (SPEC, "rules:\n  r: {given: '$.paths[', then: {function: truthy}}\n", 'rule "r"'),
        (SPEC, "functions: [mine]\nrules:\n  r: {given: $, then: {function: mine}}\n", "JavaScript function"),
        (SPEC, "extends: spectral:asyncapi\n", "not supported"),
    ],
)
def test_unusable_input_is_exit_2_with_one_line(
    tmp_path: Path, content: str, ruleset: str | None, message: str
) -> None:
    spec = tmp_path / "api.yaml"
    spec.write_text(content)
    args = [str(spec)]
    if ruleset is not None:
        (tmp_path / "rules.yaml").write_text(ruleset)
        args += ["--ruleset", str(tmp_path / "rules.yaml")]
    code, out, err = lint(*args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_is_exit_2_in_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "governance.openapi", "lint", str(tmp_path / "nope.yaml")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("error: cannot read") and "Traceback" not in done.stderr


def test_text_formats(spec: Path) -> None:
    _, stylish, _ = lint(str(spec))
    assert " 7:9  warn   operation-description" in stylish and "score" in stylish
    _, markdown, _ = lint(str(spec), "--format", "markdown")
    assert "| error | path-params | 13 | `#/paths/~1pets~1%7Bid%7D/get` |" in markdown
    _, github, _ = lint(str(spec), "--format", "github-actions")
    assert any(line.startswith("::error file=") and "title=path-params::" in line for line in github.splitlines())


def test_sarif_and_junit_are_well_formed(spec: Path) -> None:
    _, sarif, _ = lint(str(spec), "--format", "sarif")
    run = json.loads(sarif)["runs"][0]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["path-params"] == "error" and levels["operation-description"] == "warning"
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])
    _, junit, _ = lint(str(spec), "--format", "junit")
    suite = ET.fromstring(junit).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
