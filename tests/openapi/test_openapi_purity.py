"""The engine imports nothing from Django: it must run in anyone's CI."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "governance" / "openapi"


def test_no_django_imports():
    offenders = []
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{source.name}: {n}" for n in names if n.split(".")[0] in ("django", "rest_framework")]
    assert offenders == []


def test_no_module_over_600_lines():
    long = [p.name for p in PACKAGE.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 600]
    assert long == []


def test_rules_file_has_every_rule():
    from governance.openapi.rules import all_rules

    rules = all_rules()
    assert sum(1 for r in rules.values() if r.source == "oasdiff") == 509  # oasdiff's own, as rules.go lists
    console = [r for r in rules.values() if r.source == "console"]  # beyond oasdiff: console_rules.py
    assert console and all(r.reason and r.check for r in console)
    assert rules["api-removed-without-deprecation"].level == "ERR"
