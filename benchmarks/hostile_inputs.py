"""Benchmark: how long the engine takes to refuse a YAML "billion laughs" bomb (nine levels of nine
aliases: 9**9 nodes if expanded), parsed in-process and through the real CLI (a subprocess, so
the figure includes starting Python). The tests (tests/openapi/test_openapi_load.py,
tests/openapi/test_hostile_inputs.py) only check that it is refused and bound a hang with a
timeout; how fast it is refused lives here.

    .venv/bin/python benchmarks/hostile_inputs.py [--repeat N]

Prints the figures (best and median of N) and writes benchmarks/results/hostile_inputs.json.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from governance.openapi import SpecError, parse_text  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "hostile_inputs.json"
GOOD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def billion_laughs() -> str:
    lines = ["openapi: 3.0.3", 'info: {title: t, version: "1"}', "paths: {}"]
    lines.append('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def in_process(data: bytes) -> float:
    start = time.perf_counter()
    try:
        parse_text(data, "bomb.yaml")
    except SpecError:
        return time.perf_counter() - start
    raise SystemExit("the bomb was parsed instead of refused")


def through_cli(bomb: pathlib.Path, good: pathlib.Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "governance.openapi", "diff", str(bomb), str(good)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 2:
        raise SystemExit(f"the CLI answered {result.returncode} instead of refusing: {result.stderr[-500:]}")
    return elapsed


def figures(samples: list[float]) -> dict:
    return {"best_s": round(min(samples), 4), "median_s": round(statistics.median(samples), 4), "runs": len(samples)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="time the refusal of a YAML alias bomb")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    text = billion_laughs()
    with tempfile.TemporaryDirectory() as folder:
        bomb, good = pathlib.Path(folder) / "bomb.yaml", pathlib.Path(folder) / "good.yaml"
        bomb.write_text(text)
        good.write_text(GOOD)
        rows = {
            "parse_text (in-process)": figures([in_process(text.encode()) for _ in range(args.repeat)]),
            "CLI diff (subprocess)": figures([through_cli(bomb, good) for _ in range(args.repeat)]),
        }
    print(f"{'billion laughs refused by':28} {'best':>8} {'median':>8}")
    for name, row in rows.items():
        print(f"{name:28} {row['best_s']:8.4f} {row['median_s']:8.4f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps({"billion_laughs": rows, "bytes": len(text), "python": sys.version.split()[0]}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
