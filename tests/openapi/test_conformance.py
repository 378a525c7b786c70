"""oasdiff conformance: agreement must not drop below the recorded baseline.

conformance_baseline.json records the agreed count reached so far and the cases we
disagree with on purpose (with a reason). Raise "agreed" when a family lands.
"""

import json
import pathlib

from conformance import BASELINE, load_cases, run_all


def test_conformance_agreement_does_not_regress(capsys, record_property):
    baseline = json.loads(pathlib.Path(BASELINE).read_text(encoding="utf-8"))
    cases = load_cases()
    agreed, failures = run_all(cases)
    figure = f"oasdiff conformance: {agreed}/{len(cases)} = {100.0 * agreed / len(cases):.1f}% (baseline {baseline['agreed']})"
    # Shown in the run's summary (tests/conftest.py), also under xdist where worker output is hidden.
    record_property("summary_line", figure)
    with capsys.disabled():
        print("\n" + figure)
    on_purpose = {entry["case"] for entry in baseline["disagree_on_purpose"]}
    unexpected = [case["name"] for case, _ in failures if case["name"] not in on_purpose]
    assert agreed >= baseline["agreed"], (
        f"conformance dropped to {agreed} (baseline {baseline['agreed']}); failing: {unexpected[:20]}"
    )


def test_on_purpose_disagreements_are_documented():
    baseline = json.loads(pathlib.Path(BASELINE).read_text(encoding="utf-8"))
    names = {case["name"] for case in load_cases()}
    for entry in baseline["disagree_on_purpose"]:
        assert entry["case"] in names and entry["reason"].strip()
