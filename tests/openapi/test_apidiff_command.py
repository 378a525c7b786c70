"""``manage.py apidiff``: the engine's CLI as a Django management command (same arguments, same
exit status, same output)."""

import io
import json
import os
import pathlib
import subprocess
import sys

import pytest
from django.core.management import call_command

from governance.openapi.cli import main

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASE = (
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
    "  /a:\n    get:\n      responses: {'200': {description: ok}}\n"
    "  /b:\n    get:\n      responses: {'200': {description: ok}}\n"
)


@pytest.fixture
def pair(tmp_path):
    base, revision = tmp_path / "base.yaml", tmp_path / "revision.yaml"
    base.write_text(BASE)
    revision.write_text(BASE.split("  /b:")[0])
    return str(base), str(revision)


def command(*argv):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("apidiff", *argv, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ["diff", "{base}", "{revision}"],
        ["diff", "{base}", "{revision}", "--format", "json"],
        ["diff", "{base}", "{revision}", "--fail-on", "ERR"],
        ["diff", "{base}", "{base}", "--fail-on", "WARN", "--format", "markdown"],
        ["diff", "{base}", "{revision}", "--min-level", "INFO", "--format", "html"],
        ["diff", "{base}", "{revision}", "--max-bytes", "10"],
        ["diff", "{base}", "missing.yaml"],
        ["diff", "{base}"],
        ["diff", "{base}", "{revision}", "--verbosity", "2"],  # Django's option is not the CLI's
    ],
)
def test_call_command_matches_the_cli(pair, argv):
    argv = [a.format(base=pair[0], revision=pair[1]) for a in argv]
    assert command(*argv) == cli(*argv)


def test_exit_statuses_and_output(pair):
    code, out, err = command("diff", *pair, "--format", "json", "--fail-on", "ERR")
    assert code == 1 and err == ""
    assert [c["id"] for c in json.loads(out)["changes"]] == ["api-path-removed-without-deprecation"]
    assert command("diff", pair[0], pair[0], "--fail-on", "ERR")[0] == 0
    code, out, err = command("diff", pair[0], "nope.yaml")
    assert code == 2 and out == "" and err.startswith("error:") and err.count("\n") == 1


def test_manage_py_subprocess(pair):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "manage.py", "apidiff", "diff", *pair, "--fail-on", "ERR"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "api-path-removed-without-deprecation" in run.stdout
    run = subprocess.run(
        [sys.executable, "manage.py", "apidiff", "diff", pair[0], "/nonexistent.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
