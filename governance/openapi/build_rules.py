"""Regenerate ``rules.json`` (the rule registry shipped with the engine).

The engine must run standalone, so the ids, default levels, English message
templates and owning oasdiff check names are copied once from the conformance
corpus (oasdiff's ``checker/rules.go`` + ``messages.yaml``) into a compact file,
followed by the console's own rules (``console_rules.py``: marked ``"source": "console"``,
each with the reason for its level).

    python -m governance.openapi.build_rules ../shared/corpus/oasdiff/rules.json
"""

import json
import pathlib
import sys

from governance.openapi.console_rules import console_rules

OUT = pathlib.Path(__file__).with_name("rules.json")


def build(source: str) -> int:
    rules = json.loads(pathlib.Path(source).read_text(encoding="utf-8"))
    compact: list[dict[str, str | None]] = [
        {"id": r["id"], "level": r["level"], "message": r["message"], "check": r.get("check")} for r in rules
    ]
    compact += console_rules({r["id"] for r in rules})
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in compact) + "\n]\n"
    OUT.write_text(text, encoding="utf-8")
    return len(compact)


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus/oasdiff/rules.json"), "rules written")
