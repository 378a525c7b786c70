"""Write tests/openapi/lint_expected/*.json: Spectral's own results on each parity document.

Each file holds the sorted (code, path, severity) triples Spectral 6.16 (``spectral:oas``)
reports, so the parity test runs where Spectral is not installed. Spectral is never a runtime
dependency: install it outside the repo (``npm install --prefix /work/peers
@stoplight/spectral-cli@6.16``) and run::

    .venv/bin/python benchmarks/lint_spectral_expected.py [--spectral PATH] [--from-dir DIR]

``--from-dir`` reads Spectral JSON outputs already produced (``<doc path with / as _>.json``)
instead of running Spectral again (it takes minutes on the big documents).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "realworld")
EXPECTED = os.path.join(ROOT, "tests", "openapi", "lint_expected")
DEFAULT_SPECTRAL = os.environ.get("SPECTRAL_BIN", "/work/peers/node_modules/.bin/spectral")


def documents() -> list[tuple[str, str]]:
    """(name, absolute path) of every parity document: the real-world corpus and our small ones."""
    docs = []
    for folder in sorted(os.listdir(CORPUS)) if os.path.isdir(CORPUS) else []:
        full = os.path.join(CORPUS, folder)
        if os.path.isdir(full):
            for file in sorted(os.listdir(full)):
                if file.endswith((".yaml", ".json")):
                    docs.append((f"{folder}/{file}", os.path.join(full, file)))
    small = os.path.join(EXPECTED, "docs")
    for file in sorted(os.listdir(small)):
        docs.append((f"docs/{file}", os.path.join(small, file)))
    return docs


def triples(results: list[dict[str, Any]]) -> list[list[Any]]:
    return sorted([r["code"], [str(p) for p in r["path"]], r["severity"]] for r in results)


def run_spectral(spectral: str, path: str) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        ruleset = os.path.join(folder, "ruleset.yaml")
        with open(ruleset, "w") as handle:
            handle.write('extends: ["spectral:oas"]\n')
        done = subprocess.run(
            [spectral, "lint", "-r", ruleset, "-f", "json", "-q", path], capture_output=True, text=True, check=False
        )
    if done.returncode not in (0, 1):
        raise SystemExit(f"spectral failed on {path}: {done.stderr.strip()[:500]}")
    results: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return results


def spectral_version(spectral: str) -> str:
    return subprocess.run([spectral, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spectral", default=DEFAULT_SPECTRAL)
    parser.add_argument("--from-dir", help="existing Spectral JSON outputs, named <doc with / as _>.json")
    args = parser.parse_args()
    version = spectral_version(args.spectral) if os.path.exists(args.spectral) else "6.16"
    for name, path in documents():
        if args.from_dir and os.path.exists(os.path.join(args.from_dir, name.replace("/", "_") + ".json")):
            with open(os.path.join(args.from_dir, name.replace("/", "_") + ".json")) as handle:
                results = json.load(handle)
        else:
            results = run_spectral(args.spectral, path)
        out = os.path.join(EXPECTED, name.replace("/", "_").rsplit(".", 1)[0] + ".json")
        with open(out, "w") as handle:
            json.dump({"document": name, "spectral": version, "results": triples(results)}, handle, indent=0)
            handle.write("\n")
        print(f"{name}: {len(results)} results -> {os.path.relpath(out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
