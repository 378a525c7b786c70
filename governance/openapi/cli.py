"""Command line: ``python -m governance.openapi diff BASE REVISION [...]``.

Exit codes: 0 nothing at/above --fail-on (or no --fail-on), 1 something is, 2 unusable input
or arguments (one line on stderr). ``main(argv)`` returns the code, so a Django management
command can call it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from .engine import diff_specs
from .errors import SpecError
from .lint import cli as lint_cli
from .load import DEFAULT_MAX_BYTES, load_spec
from .options import Options, read_ignore_file, read_severity_file
from .report import FORMATS, GROUPINGS, printable, render
from .rules import LEVELS


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and calling sys.exit."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m governance.openapi", description="OpenAPI diff and breaking-change checks (oasdiff rule ids)."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    diff = commands.add_parser("diff", help="compare two OpenAPI 3.x specs")
    diff.add_argument("base")
    diff.add_argument("revision")
    diff.add_argument("--format", choices=FORMATS, default="text")
    diff.add_argument("--min-level", choices=list(LEVELS), help="default INFO for json, WARN otherwise")
    diff.add_argument("--fail-on", choices=["WARN", "ERR"])
    diff.add_argument(
        "--group",
        choices=GROUPINGS,
        default="origin",
        help="origin (default): each change once, with the operations it reaches; none: every occurrence",
    )
    diff.add_argument("--deprecation-days-beta", type=_non_negative, default=0)
    diff.add_argument("--deprecation-days-stable", type=_non_negative, default=0)
    diff.add_argument("--ignore", metavar="FILE", help="oasdiff ignore file: lines of 'METHOD /path text'")
    diff.add_argument("--severity", metavar="FILE", help="lines of '<rule-id> ERR|WARN|INFO|NONE'")
    diff.add_argument(
        "--max-bytes",
        type=_non_negative,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse a spec file (or $ref'd file) larger than N bytes (default {DEFAULT_MAX_BYTES})",
    )
    lint_cli.add_arguments(
        commands.add_parser("lint", help="lint a spec with a Spectral ruleset (default spectral:oas)")
    )
    return parser


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return number


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except _ArgumentError as exc:
        print(f"error: {exc}", file=stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.command == "lint":
        return lint_cli.run(args, stdout, stderr)
    try:
        options = Options(
            min_level=args.min_level or ("INFO" if args.format == "json" else "WARN"),
            severity_overrides=read_severity_file(args.severity) if args.severity else {},
            deprecation_days_beta=args.deprecation_days_beta,
            deprecation_days_stable=args.deprecation_days_stable,
            ignore=read_ignore_file(args.ignore) if args.ignore else [],
            max_bytes=args.max_bytes,
        )
        base = load_spec(args.base, max_bytes=args.max_bytes)
        revision = load_spec(args.revision, max_bytes=args.max_bytes)
        report = diff_specs(base, revision, options)
    except SpecError as exc:  # may quote the document ($ref targets): shown, not sent to the terminal
        print(f"error: {printable(exc)}", file=stderr)
        return 2
    except MemoryError:
        print("error: input too large to compare", file=stderr)
        return 2
    stdout.write(render(report, args.format, args.group))
    if args.fail_on and report.at_or_above(args.fail_on):
        return 1
    return 0
