"""Benchmark: diff the six real-world spec pairs in ../shared/corpus/realworld.

Per pair: wall time of load + diff (best of N), peak memory (tracemalloc, separate run),
number of findings, parse-only time of both files with the fastest parser (same run) and
the ratio. Writes benchmarks/results/diff_realworld.json.

    .venv/bin/python benchmarks/diff_realworld.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from governance.openapi import Options, diff_specs, load_spec, parse_text  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"
RESULTS = ROOT / "benchmarks" / "results" / "diff_realworld.json"
PAIRS = [
    ("stripe/2023-03-01.yaml", "stripe/2023-09-06.yaml"),
    ("stripe/2023-09-06.yaml", "stripe/2023-09-07.yaml"),
    ("github/2021-03-29.json", "github/2021-09-29.json"),
    ("github/2021-09-29.json", "github/2021-09-30.json"),
    ("openai/2026-05-13.yaml", "openai/2026-08-13.yaml"),
    ("openai/2026-08-12.yaml", "openai/2026-08-13.yaml"),
]


def best_of(repeat: int, fn):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_pair(base: str, revision: str, repeat: int) -> dict:
    base_path, rev_path = CORPUS / base, CORPUS / revision
    base_bytes, rev_bytes = base_path.read_bytes(), rev_path.read_bytes()
    parse_time, _ = best_of(repeat, lambda: (parse_text(base_bytes, base), parse_text(rev_bytes, revision)))
    options = Options(min_level="INFO")

    def full():
        return diff_specs(load_spec(base_path), load_spec(rev_path), options)

    wall, report = best_of(repeat, full)
    tracemalloc.start()
    full()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "base": base,
        "revision": revision,
        "wall_s": round(wall, 4),
        "parse_only_s": round(parse_time, 4),
        "ratio": round(wall / parse_time, 2),
        "peak_mb": round(peak / 2**20, 1),
        "findings": len(report.findings),
        "summary": report.summary,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="diff the real-world pairs")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    print(f"{'pair':58} {'wall':>7} {'parse':>7} {'ratio':>6} {'peakMB':>7} {'findings':>8}")
    for base, revision in PAIRS:
        row = run_pair(base, revision, args.repeat)
        rows.append(row)
        print(
            f"{base + ' -> ' + revision:58} {row['wall_s']:7.3f} {row['parse_only_s']:7.3f} "
            f"{row['ratio']:6.2f} {row['peak_mb']:7.1f} {row['findings']:8}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"pairs": rows, "parser": "json (stdlib) / yaml_rs", "python": sys.version.split()[0]}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
