"""Benchmark: spectral:oas on the real-world documents, side by side with Spectral and Redocly.

Each tool runs as a whole process (``/usr/bin/time``: wall seconds, CPU seconds (user + system) and
peak RSS), on the same document, interleaved in one run (best of N), so the machine's load hits all
of them alike. On a shared, loaded machine wall time mostly measures waiting for a core: compare the
CPU column too.

* ours:    python -m governance.openapi lint DOC --format json
* Spectral: spectral lint -r <extends: spectral:oas> -f json DOC  (6.16, npm, outside the repo)
* Redocly:  redocly lint DOC --format json  (its own recommended ruleset: a speed reference)

Spectral and Redocly are looked up in $SPECTRAL_BIN / $REDOCLY_BIN, else /work/peers/node_modules/.bin;
a missing tool is reported as such. Writes benchmarks/results/lint_realworld.json.

    .venv/bin/python benchmarks/lint_realworld.py [--repeat N] [--docs stripe/2023-09-07.yaml ...]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"
RESULTS = ROOT / "benchmarks" / "results" / "lint_realworld.json"
PEERS = pathlib.Path("/work/peers/node_modules/.bin")
SPECTRAL = os.environ.get("SPECTRAL_BIN", str(PEERS / "spectral"))
REDOCLY = os.environ.get("REDOCLY_BIN", str(PEERS / "redocly"))
DEFAULT_DOCS = ["stripe/2023-09-07.yaml", "github/2021-09-30.json", "openai/2026-08-13.yaml"]


def measure(command: list[str]) -> dict[str, Any]:
    """Wall time and peak RSS of one process, via GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *command],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
            cwd=ROOT,
            check=False,
        )
        fields = report.read().split()
    seconds, cpu, kilobytes = float(fields[-4]), float(fields[-3]) + float(fields[-2]), int(fields[-1])
    results = None
    try:
        results = len(json.loads(done.stdout)) if done.stdout.strip().startswith("[") else None
    except ValueError:
        results = None
    return {
        "seconds": seconds,
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(kilobytes / 1024, 1),
        "exit": done.returncode,
        "results": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", nargs="*", default=DEFAULT_DOCS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ruleset = pathlib.Path(folder) / "ruleset.yaml"
        ruleset.write_text('extends: ["spectral:oas"]\n')
        tools = {"ours": lambda doc: [sys.executable, "-m", "governance.openapi", "lint", doc, "--format", "json"]}
        if os.path.exists(SPECTRAL):
            tools["spectral"] = lambda doc: [SPECTRAL, "lint", "-r", str(ruleset), "-f", "json", "-q", doc]
        if os.path.exists(REDOCLY):
            tools["redocly"] = lambda doc: [REDOCLY, "lint", doc, "--format", "json"]
        rows = []
        for name in args.docs:
            doc = str(CORPUS / name)
            best: dict[str, dict[str, Any]] = {}
            for _ in range(args.repeat):
                for tool, command in tools.items():  # interleaved: load hits every tool alike
                    run = measure(command(doc))
                    if tool not in best or run["seconds"] < best[tool]["seconds"]:
                        best[tool] = run
            row: dict[str, Any] = {"document": name, **{tool: figures for tool, figures in best.items()}}
            for peer in ("spectral", "redocly"):
                if peer in best:
                    row[f"{peer}_over_ours_wall"] = round(best[peer]["seconds"] / best["ours"]["seconds"], 2)
                    row[f"{peer}_over_ours_cpu"] = round(best[peer]["cpu_seconds"] / best["ours"]["cpu_seconds"], 2)
            rows.append(row)
            figures = "  ".join(
                f"{tool} {f['seconds']:.2f} s wall {f['cpu_seconds']:.2f} s cpu {f['peak_mb']:.0f} MB"
                for tool, f in best.items()
            )
            print(f"{name:28} {figures}")
    load = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"repeat": args.repeat, "loadavg": load, "rows": rows}, indent=2) + "\n")
    print(f"load average {load[0]:.1f}; wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
