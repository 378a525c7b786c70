"""CLI contract: exit codes, formats, options files."""

import io
import json

import pytest

from governance.openapi.cli import main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def pair(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /pets/{id}:\n    get:\n      summary: '<b>pets</b>'\n      responses: {'200': {description: ok}}\n"
        "    delete:\n      responses: {'204': {description: ok}}\n"
    )
    revision = tmp_path / "revision.yaml"
    revision.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /pets/{key}:\n    get:\n      responses: {'200': {description: ok}}\n"
        "  /cats:\n    get:\n      responses: {'200': {description: ok}}\n"
    )
    return str(base), str(revision)


def test_json_format_shape_and_default_min_level(pair):
    code, out, err = run("diff", *pair, "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    ids = sorted(c["id"] for c in data["changes"])
    assert ids == ["api-removed-without-deprecation", "endpoint-added"]  # INFO included for json
    assert set(data["changes"][0]) == {"id", "level", "operation", "path", "text", "base_pointer", "revision_pointer"}
    assert data["summary"]["total"] == 2
    removed = next(c for c in data["changes"] if c["id"] == "api-removed-without-deprecation")
    assert removed == {
        "id": "api-removed-without-deprecation",
        "level": "ERR",
        "operation": "DELETE",
        "path": "/pets/{id}",
        "text": "api removed without deprecation",
        "base_pointer": "/paths/~1pets~1{id}/delete",
        "revision_pointer": None,
    }


def test_text_default_min_level_is_warn(pair):
    code, out, _ = run("diff", *pair)
    assert code == 0
    assert "api-removed-without-deprecation" in out and "endpoint-added" not in out


def test_fail_on(pair):
    assert run("diff", *pair, "--fail-on", "ERR")[0] == 1
    assert run("diff", *pair, "--fail-on", "WARN")[0] == 1
    assert run("diff", pair[0], pair[0], "--fail-on", "WARN")[0] == 0


def test_severity_file_drops_and_changes_levels(pair, tmp_path):
    severity = tmp_path / "severity.txt"
    severity.write_text("# comment\napi-removed-without-deprecation NONE\nendpoint-added err\n")
    code, out, _ = run("diff", *pair, "--format", "json", "--severity", str(severity), "--fail-on", "ERR")
    assert code == 1
    assert [(c["id"], c["level"]) for c in json.loads(out)["changes"]] == [("endpoint-added", "ERR")]


def test_ignore_file(pair, tmp_path):
    ignore = tmp_path / "ignore.txt"
    ignore.write_text("DELETE /pets/{id} api removed without deprecation\n")
    code, out, _ = run("diff", *pair, "--ignore", str(ignore), "--fail-on", "ERR", "--format", "json")
    assert code == 0
    assert [c["id"] for c in json.loads(out)["changes"]] == ["endpoint-added"]


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "only-one"],
        ["diff", "a", "b", "--format", "xml"],
        ["diff", "a", "b", "--min-level", "DEBUG"],
        ["diff", "a", "b", "--deprecation-days-beta", "-1"],
        ["frobnicate"],
        [],
    ],
)
def test_argument_errors_exit_2(argv):
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert err.startswith("error:") and err.count("\n") == 1


def test_unusable_input_exit_2(tmp_path, pair):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    for argv in (
        ["diff", str(bad), pair[1]],
        ["diff", str(tmp_path / "missing.yaml"), pair[1]],
        ["diff", *pair, "--severity", str(tmp_path / "nope")],
    ):
        code, out, err = run(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1


def test_markdown_and_html(pair, tmp_path):
    ignore = tmp_path / "i.txt"
    ignore.write_text("")
    code, out, _ = run("diff", *pair, "--format", "markdown", "--min-level", "INFO", "--group", "none")
    assert code == 0 and "| ERR | `api-removed-without-deprecation` | DELETE |" in out
    code, out, _ = run("diff", *pair, "--format", "html", "--min-level", "INFO")
    assert code == 0 and "<table>" in out and "<code>/pets/{id}</code>" in out


def test_html_escapes_spec_content(tmp_path):
    base = tmp_path / "b.yaml"
    base.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /x:\n    get:\n      tags: ['<script>alert(1)</script>']\n      responses: {'200': {description: ok}}\n"
    )
    revision = tmp_path / "r.yaml"
    revision.write_text(base.read_text().replace("tags: ['<script>alert(1)</script>']", "tags: []"))
    code, out, _ = run("diff", str(base), str(revision), "--format", "html", "--min-level", "INFO")
    assert code == 0
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_help_exits_0():
    assert run("--help")[0] == 0
