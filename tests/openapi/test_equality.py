"""The "nothing changed here" shortcut must see a change behind a $ref cycle, whatever order the
references are visited in (it used to depend on string hash order)."""

import json
import subprocess
import sys
from pathlib import Path

from governance.openapi.diff.equality import Equivalence
from governance.openapi.load import load_spec

ROOT = Path(__file__).resolve().parents[2]


def _spec(c_type: str):
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                # A <-> B form a cycle; A also reaches C, which is what changes.
                "A": {
                    "type": "object",
                    "properties": {"b": {"$ref": "#/components/schemas/B"}, "c": {"$ref": "#/components/schemas/C"}},
                },
                "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
                "C": {"type": c_type},
                "D": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            }
        },
    }
    return load_spec(json.dumps(doc).encode(), filename="spec.json")


def test_a_change_behind_a_cycle_reaches_every_member_of_the_cycle():
    equivalence = Equivalence(_spec("string"), _spec("integer"))
    ref = {"$ref": "#/components/schemas/A"}
    assert not equivalence.unchanged(ref, dict(ref))  # A reaches C
    # B was visited while A was still in progress: it must not have been settled as unchanged.
    assert not equivalence.unchanged({"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/B"})
    assert not equivalence.unchanged({"$ref": "#/components/schemas/D"}, {"$ref": "#/components/schemas/D"})
    assert equivalence.unchanged({"$ref": "#/components/schemas/C"}, {"$ref": "#/components/schemas/C"}) is False


def test_an_unchanged_cycle_is_unchanged():
    equivalence = Equivalence(_spec("string"), _spec("string"))
    for name in "ABCD":
        ref = {"$ref": f"#/components/schemas/{name}"}
        assert equivalence.unchanged(ref, dict(ref))


def test_the_answer_does_not_depend_on_the_hash_seed():
    script = (
        "import sys; sys.path.insert(0, '.');"
        "from tests.openapi.test_equality import _spec;"
        "from governance.openapi.diff.equality import Equivalence;"
        "e = Equivalence(_spec('string'), _spec('integer'));"
        "e.unchanged({'$ref': '#/components/schemas/A'}, {'$ref': '#/components/schemas/A'});"
        "print(e.unchanged({'$ref': '#/components/schemas/B'}, {'$ref': '#/components/schemas/B'}))"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin"},
        ).stdout.strip()
        for seed in range(12)
    }
    assert answers == {"False"}
