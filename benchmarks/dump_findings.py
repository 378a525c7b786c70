"""Dump the engine's full output, for byte-for-byte comparison before/after an optimisation.

Writes into OUT (default /tmp/golden):
  realworld-<n>-<base>--<revision>.tsv   every finding of the six real-world pairs at INFO,
                                         in report order (which is itself sorted), one per line:
                                         id, level, operation, path, text, base_pointer, revision_pointer
  conformance.tsv                        every finding of every oasdiff conformance case
                                         (case name first), in report order
  conformance-summary.txt                the runner's agreement figure

    .venv/bin/python benchmarks/dump_findings.py [--out DIR] [--skip-conformance]
    diff -r /tmp/golden /tmp/after      # must print nothing
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

# Dumps are made under a fixed hash seed unless one is given, so two runs compare like with like;
# run it under several seeds (PYTHONHASHSEED=7 ...) to check the output doesn't depend on hash order.
if "PYTHONHASHSEED" not in os.environ:
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.diff_realworld import CORPUS, PAIRS  # noqa: E402
from governance.openapi import Options, SpecError, diff_specs, load_spec  # noqa: E402


def _line(prefix: tuple, finding) -> str:
    # repr() keeps the line unambiguous (tabs/newlines inside a message, None pointers)
    return (
        "\t".join(
            repr(v)
            for v in prefix
            + tuple(
                getattr(finding, k)
                for k in ("id", "level", "operation", "path", "text", "base_pointer", "revision_pointer")
            )
        )
        + "\n"
    )


def dump_realworld(out: pathlib.Path) -> None:
    for n, (base, revision) in enumerate(PAIRS):
        report = diff_specs(load_spec(CORPUS / base), load_spec(CORPUS / revision), Options(min_level="INFO"))
        name = f"realworld-{n}-{base.replace('/', '_')}--{revision.replace('/', '_')}.tsv"
        with open(out / name, "w", encoding="utf-8") as fh:
            fh.writelines(_line((), f) for f in report.findings)
        print(f"{name}: {len(report.findings)} findings")


def dump_conformance(out: pathlib.Path) -> None:
    from tests.openapi import conformance

    cases = conformance.load_cases()
    with open(out / "conformance.tsv", "w", encoding="utf-8") as fh:
        for case in cases:
            try:
                report = diff_specs(
                    load_spec(conformance.CORPUS / case["base"]),
                    load_spec(conformance.CORPUS / case["revision"]),
                    conformance.options_for(case),
                )
            except SpecError as exc:
                fh.write(f"{case['name']!r}\tSpecError\t{exc}\n")
                continue
            fh.writelines(_line((case["name"],), f) for f in report.findings)
    agreed, failures = conformance.run_all(cases)
    summary = f"agreement {agreed}/{len(cases)}\n" + "".join(
        f"FAIL {case['name']}: {reason}\n" for case, reason in failures
    )
    (out / "conformance-summary.txt").write_text(summary, encoding="utf-8")
    print(summary.splitlines()[0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="dump every finding for golden comparisons")
    parser.add_argument("--out", default="/tmp/golden")
    parser.add_argument("--skip-conformance", action="store_true")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    dump_realworld(out)
    if not args.skip_conformance:
        dump_conformance(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
