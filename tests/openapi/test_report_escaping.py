"""Spec values in the reports. Markdown: they stay text (no live HTML, no code span that a backtick
of theirs closes, no table cell or row of their own). Text (and the CLI's error line): terminal
control characters are shown as \\xNN, never sent to the terminal."""

import io
import json

import pytest

from governance.openapi.cli import main
from governance.openapi.model import Finding, Report
from governance.openapi.report import printable, to_markdown

IMG = "<img src=x onerror=alert(1)>"
IMG_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write_spec(path, paths):
    path.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}))
    return str(path)


def get(*parameters):
    return {"get": {"parameters": list(parameters), "responses": {"200": {"description": "ok"}}}}


def query(name, required=False):
    return {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}


def diff(tmp_path, base_paths, revision_paths, fmt):
    base = write_spec(tmp_path / "base.json", base_paths)
    revision = write_spec(tmp_path / "revision.json", revision_paths)
    code, out, err = run("diff", base, revision, "--format", fmt, "--min-level", "INFO", "--group", "none")
    assert code == 0 and err == ""
    return out


def markdown_row(finding: Finding) -> str:
    return to_markdown(Report([finding]), grouped=False).splitlines()[-1]


def became_required(name) -> Finding:
    return Finding("request-parameter-became-required", "ERR", "GET", "/pets", args=("query", name))


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_shows_html_in_spec_values_as_text(tmp_path):
    # The attack: a path and a parameter name that close the report's `...` quoting and carry an <img>.
    name = f"a`{IMG}`b"
    out = diff(
        tmp_path, {f"/x/`{IMG}": get(), "/pets": get(query(name))}, {"/pets": get(query(name, True))}, "markdown"
    )
    assert "<" not in out and ">" not in out
    rows = out.splitlines()[-2:]
    assert rows == [
        f"| ERR | `request-parameter-became-required` | GET | `/pets` | the `query` request parameter "
        f"``a`{IMG_ESCAPED}`b`` became required |",
        f"| ERR | `api-path-removed-without-deprecation` | GET | ``/x/`{IMG_ESCAPED}`` | "
        "api path removed without deprecation |",
    ]


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("plain", "`plain`"),
        ("a`b", "``a`b``"),
        ("a``b`c", "```a``b`c```"),
        ("`x", "`` `x ``"),  # a value starting or ending with a backtick is padded inside the fence
        ("x`", "`` x` ``"),
        ("```", "```` ``` ````"),
        (" x ", "`  x  `"),  # the renderer strips one space from each end: the value's own survive
        ("R&D <b>", "`R&amp;D &lt;b&gt;`"),
    ],
)
def test_a_code_span_fence_is_longer_than_any_backtick_run_in_the_value(value, span):
    assert markdown_row(became_required(value)) == (
        f"| ERR | `request-parameter-became-required` | GET | `/pets` | the `query` request parameter {span} "
        "became required |"
    )
    assert markdown_row(Finding("endpoint-added", "INFO", "GET", value)) == (
        f"| INFO | `endpoint-added` | GET | {span} | endpoint added |"
    )


def test_a_spec_value_cannot_split_a_cell_or_end_the_row():
    # `|` is escaped; a backslash before it can't escape that escape (cmark-gfm would split the
    # cell on `\\|`); line breaks become spaces.
    row = markdown_row(became_required("a|b\\|c\nd\r\ne"))
    assert row.endswith(" | the `query` request parameter `a\\|b\\\\\\|c d  e` became required |")
    assert row.replace("\\|", "").count("|") == 6  # the row's own five cells, nothing more


def test_spec_text_outside_code_spans_is_not_markup():
    # The details name the media type, outside the quoted arguments: no link, image, emphasis or HTML.
    finding = Finding(
        "request-body-max-length-decreased",
        "ERR",
        "POST",
        "/pets",
        args=(10,),
        details="(media type: ![x](https://e.test/p.png) *a_b* `c` ~d~ <i>&\\)",
    )
    assert markdown_row(finding).endswith(
        " | the request's body maxLength was decreased to `10` "
        "(media type: !\\[x\\](https://e.test/p.png) \\*a\\_b\\* \\`c\\` \\~d\\~ &lt;i&gt;&amp;\\\\) |"
    )


def test_a_finding_created_with_its_text_is_escaped_whole():
    row = markdown_row(Finding("endpoint-added", "INFO", "GET", "/a", f"quoted `{IMG}`"))
    assert row == f"| INFO | `endpoint-added` | GET | `/a` | quoted \\`{IMG_ESCAPED}\\` |"


# --- text --------------------------------------------------------------------------------------------


def test_printable_shows_terminal_controls_as_hex():
    assert printable("a\tb\x00\x07\x1b[31m\x7f\x85\x9b31m\r\n é→😀") == (
        "a\tb\\x00\\x07\\x1b[31m\\x7f\\x85\\x9b31m\\x0d\\x0a é→😀"
    )


def test_the_text_report_does_not_send_escape_sequences_from_the_spec(tmp_path):
    # The attack: retitle the terminal (OSC), clear it (CSI, 7- and 8-bit) and forge a finding line.
    path = "/x\x1b]0;pwned\x07\x1b[2J"
    name = "n\x9b2J\x7f\nERR  [fake-rule] at GET /admin"
    out = diff(tmp_path, {path: get(), "/pets": get(query(name))}, {"/pets": get(query(name, True))}, "text")
    assert [c for c in out if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f"] == []
    assert "at GET /x\\x1b]0;pwned\\x07\\x1b[2J" in out
    assert "`n\\x9b2J\\x7f\\x0aERR  [fake-rule] at GET /admin` became required" in out
    assert not any(line.startswith("ERR  [fake-rule]") for line in out.splitlines())


def test_the_error_line_does_not_send_escape_sequences_from_the_spec(tmp_path):
    base = write_spec(tmp_path / "base.json", {"/a": {"$ref": "https://e.test/\x1b[2J\x1b]0;pwned\x07.json"}})
    code, out, err = run("diff", base, write_spec(tmp_path / "revision.json", {"/a": get()}))
    assert code == 2 and out == ""
    assert err == f"error: {base}: remote $ref refused: https://e.test/\\x1b[2J\\x1b]0;pwned\\x07.json\n"
