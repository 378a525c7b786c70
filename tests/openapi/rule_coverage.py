"""Which rule ids of rules.json can the engine emit? Prints the ids it cannot, as a Markdown table.

    .venv/bin/python -m tests.openapi.rule_coverage [--list-unexercised]

An id counts as emittable when it was emitted while diffing every conformance pair (both ways, all
checks, INFO, stability threshold draft) and the real-world pairs, or when a unit test
(tests/openapi/test_*.py) names it, or when the source of a family (checks/*.py, policy.py) spells
it: as a string literal, or as an f-string whose placeholders are filled from the string literals
of the same module. The reasons for the ids left over are kept in
``REASONS`` below (and in README.md).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from governance.openapi import (  # noqa: E402
    Options,
    SpecError,
    diff_specs,
    engine,  # noqa: E402
    load_spec,
)
from governance.openapi.rules import all_rules  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
_WORD = re.compile(r"[a-z-]{0,60}\Z")

REASONS = {
    "api-version-not-bumped": "versioning policy (info.version vs breaking changes): not implemented; "
    "every conformance test turns it off",
    "api-version-decreased": "versioning policy: not implemented (see api-version-not-bumped)",
    "api-major-version-not-bumped": "versioning policy: not implemented (see api-version-not-bumped)",
    "request-body-min-items-set": "unreachable in oasdiff: minItems is a uint64 there (absent = 0), so setting it "
    "is reported as request-*-min-items-increased",
    "request-property-min-items-set": "unreachable in oasdiff (see request-body-min-items-set)",
    "response-body-min-items-unset": "unreachable in oasdiff: removing minItems is reported as "
    "response-*-min-items-decreased (uint64, absent = 0)",
    "response-property-min-items-unset": "unreachable in oasdiff (see response-body-min-items-unset)",
}


def _static() -> set:
    root = ROOT / "governance" / "openapi"
    rules = all_rules()
    found = set()
    for path in sorted((root / "checks").glob("*.py")) + [root / "policy.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        consts = {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and _WORD.match(n.value)
        }
        found |= consts & set(rules)
        vocab = "(?:" + "|".join(sorted((re.escape(c) for c in consts), key=len, reverse=True)) + ")"
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                pattern = re.compile(
                    "".join(re.escape(str(v.value)) if isinstance(v, ast.Constant) else vocab for v in node.values)
                    + r"\Z"
                )
                found |= {r for r in rules if pattern.match(r)}
    for path in sorted(pathlib.Path(__file__).parent.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        found |= {r for r in rules if f'"{r}"' in text}
    return found


def _dynamic() -> set:
    seen = set()
    original = engine.Emitter.add  # every finding goes through it (SchemaSite.emit calls it directly)

    def recording(self, rule_id, *args):
        seen.add(rule_id)
        return original(self, rule_id, *args)

    setattr(engine.Emitter, "add", recording)  # noqa: B010 (mypy: no assigning to a method)
    try:
        oasdiff = CORPUS / "oasdiff"
        pairs = {(c["base"], c["revision"]) for c in json.loads((oasdiff / "manifest.json").read_text())}
        for base, revision in sorted(pairs):
            for a, b in ((base, revision), (revision, base)):
                with contextlib.suppress(SpecError):
                    diff_specs(
                        load_spec(oasdiff / a),
                        load_spec(oasdiff / b),
                        Options(min_level="INFO", stability_level="draft"),
                    )
        for spec_dir in sorted(p for p in (CORPUS / "realworld").iterdir() if p.is_dir()):
            files = sorted(p for p in spec_dir.iterdir() if p.suffix in (".yaml", ".json"))
            for a, b in zip(files, files[1:]):
                diff_specs(load_spec(a), load_spec(b), Options(min_level="INFO"))
    finally:
        setattr(engine.Emitter, "add", original)  # noqa: B010
    return seen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--list-unexercised", action="store_true", help="also list ids the source spells but no corpus pair emitted"
    )
    args = parser.parse_args(argv)
    rules = all_rules()
    seen, spelled = _dynamic(), _static()
    missing = sorted(set(rules) - seen - spelled)
    print(
        f"{len(rules)} rule ids; emitted by the corpora: {len(seen & set(rules))}; "
        f"emittable: {len(rules) - len(missing)}; not emittable: {len(missing)}\n"
    )
    print("| rule id | level | oasdiff check | why not |\n|---|---|---|---|")
    for rule_id in missing:
        rule = rules[rule_id]
        print(f"| `{rule_id}` | {rule.level} | {rule.check or '(policy)'} | {REASONS.get(rule_id, '?')} |")
    if args.list_unexercised:
        print("\nspelled in the source but not emitted by any corpus pair:")
        for rule_id in sorted(spelled - seen):
            print(f"  {rule_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
