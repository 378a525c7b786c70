"""``python -m governance.openapi lint SPEC [--ruleset FILE] [--format F] [--fail-severity S]``.

Exit 0: nothing at or above --fail-severity (default error); 1: something is; 2: the document or
the ruleset is unusable (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from ..errors import SpecError
from ..load import DEFAULT_MAX_BYTES
from . import Document, default_ruleset, lint, load_ruleset, ruleset_beside
from .errors import RulesetError
from .output import FORMATS, render
from .ruleset import SEVERITIES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec")
    parser.add_argument(
        "--ruleset", metavar="FILE", help="Spectral ruleset (default: .spectral.yaml beside SPEC, else spectral:oas)"
    )
    parser.add_argument("--format", choices=FORMATS, default="stylish")
    parser.add_argument("--fail-severity", choices=["error", "warn", "info", "hint"], default="error")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N")


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    try:
        ruleset_path = args.ruleset or ruleset_beside(args.spec)
        ruleset = load_ruleset(ruleset_path) if ruleset_path else default_ruleset()
        document = Document.from_file(args.spec, max_bytes=args.max_bytes)
        results = lint(document, ruleset)
    except (SpecError, RulesetError) as exc:
        print(f"error: {_one_line(str(exc))}", file=stderr)
        return 2
    except (RecursionError, MemoryError):
        print("error: document too large or nested too deeply to lint", file=stderr)
        return 2
    descriptions = {name: rule.description or rule.message or name for name, rule in ruleset.rules.items()}
    stdout.write(render(results, args.format, args.spec, descriptions))
    threshold = SEVERITIES[args.fail_severity]
    return 1 if any(0 <= r.severity <= threshold for r in results) else 0


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text.replace("\n", " "))[:2000]
