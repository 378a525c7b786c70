"""Find import circles between modules of the project (`make lint` runs it; so does the suite).

Every import counts, at module level or inside a function: a lazy import hides a circle from the
interpreter, not from the reader. Prints each circle (a strongly connected component of the import
graph) and exits 1 when there is one.

    python tools/import_cycles.py [PACKAGE ...]      # default: the project's packages
"""

import sys
from pathlib import Path

import grimp

PROJECT_PACKAGES = ("config", "tenants", "apikeys", "governance")


def import_cycles(*packages: str) -> list[list[str]]:
    """Each circle as the sorted list of its modules (Tarjan's algorithm, iterative)."""
    # Imports under `if TYPE_CHECKING:` never run; annotations may name what a module must not import.
    graph = grimp.build_graph(*packages, cache_dir=None, exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return sorted(cycles)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    cycles = import_cycles(*(argv or PROJECT_PACKAGES))
    for cycle in cycles:
        print("import circle: " + " <-> ".join(cycle))
    if not cycles:
        print("no import circles")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
