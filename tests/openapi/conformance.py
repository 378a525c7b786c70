"""oasdiff conformance runner over ../shared/corpus/oasdiff/manifest.json.

.venv/bin/python -m tests.openapi.conformance            # agreement + failures by rule id
.venv/bin/python -m tests.openapi.conformance --case NAME  # one case, with the findings
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections import Counter, defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from governance.openapi import Options, SpecError, diff_specs, load_spec  # noqa: E402
from governance.openapi.rules import console_rule_ids  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "oasdiff"
MANIFEST = CORPUS / "manifest.json"
BASELINE = pathlib.Path(__file__).with_name("conformance_baseline.json")


CONSOLE_RULES_OFF = {rule_id: "NONE" for rule_id in console_rule_ids()}


def load_cases() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def options_for(case: dict) -> Options:
    opts = case["options"]
    return Options(
        min_level=opts.get("min_level", "INFO"),
        # the console's own rules (rules.json "source": "console") are beyond oasdiff: not compared here
        severity_overrides={**CONSOLE_RULES_OFF, **opts.get("severity_overrides", {})},
        stability_level=opts.get("stability_level", "beta"),
        deprecation_days_beta=opts.get("deprecation_days_beta", 0),
        deprecation_days_stable=opts.get("deprecation_days_stable", 0),
        match_inline_refs=opts.get("diff", {}).get("match_inline_refs", True),
        checks=opts.get("checks", "all"),
    )


def run_case(case: dict) -> tuple[bool, list, str]:
    """Returns (agrees, findings, reason)."""
    try:
        base = load_spec(CORPUS / case["base"])
        revision = load_spec(CORPUS / case["revision"])
        report = diff_specs(base, revision, options_for(case))
    except SpecError as exc:
        return False, [], f"SpecError: {exc}"
    findings = report.findings
    opts = case["options"]
    if opts.get("checks", "all") != "all":
        # rules.json maps each id to ONE owning check, but oasdiff checks share ids (e.g.
        # RequestParameterDeprecationCheck also emits request-parameter-sunset-parse): the
        # expected ids are evidently emitted by the selected checks, so they are compared too.
        allowed = (
            set(opts.get("rule_ids", [])) | set(opts.get("always_on_rule_ids", [])) | {e["id"] for e in case["expect"]}
        )
        findings = [f for f in findings if f.id in allowed]
    got = Counter(f.id for f in findings)
    want = Counter(e["id"] for e in case["expect"])
    if case["match"] == "exact" and got != want:
        return False, findings, f"expected exactly {dict(want)}, got {dict(got)}"
    if case["match"] == "contains":
        missing = [i for i in want if got[i] < want[i]]
        if missing:
            return False, findings, f"missing {missing}, got {dict(got)}"
    if "count" in case and len(findings) != case["count"]:
        return False, findings, f"expected {case['count']} findings, got {len(findings)}: {dict(got)}"
    present = [i for i in case.get("absent", []) if got[i]]
    if present:
        return False, findings, f"should be absent: {present}"
    if "only_ids" in case and (not findings or any(f.id not in case["only_ids"] for f in findings)):
        return False, findings, f"only {case['only_ids']} allowed, got {dict(got)}"
    for expected in case["expect"]:
        if not _attributes_match(expected, findings):
            return False, findings, f"no finding matches {expected}"
    return True, findings, ""


def _attributes_match(expected: dict, findings: list) -> bool:
    keys = [k for k in ("operation", "path", "text") if k in expected]
    if not keys:
        return True
    return any(f.id == expected["id"] and all(getattr(f, k) == expected[k] for k in keys) for f in findings)


def run_all(cases=None) -> tuple[int, list[tuple[dict, str]]]:
    cases = cases if cases is not None else load_cases()
    failures = []
    for case in cases:
        ok, _findings, reason = run_case(case)
        if not ok:
            failures.append((case, reason))
    return len(cases) - len(failures), failures


def failing_rule_counts(failures) -> Counter:
    counts: Counter[str] = Counter()
    for case, _reason in failures:
        for rule_id in {e["id"] for e in case["expect"]} or {"(expects nothing)"}:
            counts[rule_id] += 1
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help="run one case (exact name) and show its findings")
    parser.add_argument("--top", type=int, default=40, help="how many failing rule ids to list")
    parser.add_argument("--verbose", action="store_true", help="list every failing case with its reason")
    args = parser.parse_args(argv)
    cases = load_cases()
    if args.case:
        selected = [c for c in cases if c["name"] == args.case]
        if not selected:
            print(f"no case named {args.case!r}", file=sys.stderr)
            return 2
        for case in selected:
            ok, findings, reason = run_case(case)
            print(
                json.dumps({k: case[k] for k in ("name", "base", "revision", "match", "expect", "options")}, indent=1)
            )
            print("AGREES" if ok else f"DISAGREES: {reason}")
            for f in findings:
                print(f"  {f.level:4} {f.id} {f.operation} {f.path}: {f.text}")
        return 0
    agreed, failures = run_all(cases)
    print(f"agreement {agreed}/{len(cases)} = {100.0 * agreed / len(cases):.1f}%")
    by_rule = defaultdict(list)
    for case, reason in failures:
        for rule_id in sorted({e["id"] for e in case["expect"]}) or ["(expects nothing)"]:
            by_rule[rule_id].append((case["name"], reason))
    print(f"\nfailing cases by expected rule id (top {args.top}):")
    for rule_id, count in failing_rule_counts(failures).most_common(args.top):
        print(f"  {count:3}  {rule_id}")
        if args.verbose:
            for name, reason in by_rule[rule_id]:
                print(f"         {name}: {reason[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
