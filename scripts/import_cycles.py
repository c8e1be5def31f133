"""Fail when any import cycle exists among hi's modules, counting function-level and TYPE_CHECKING imports.

import-linter checks the direction of dependencies between packages; this checks that no module can
reach itself through imports at all, which those contracts do not say. Run by ``make lint``:

    python scripts/import_cycles.py [package]

Exit status 1 lists each cycle as a chain with line numbers.
"""

from __future__ import annotations

import sys

import grimp


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the groups of modules that import each other, size > 1 or self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if position < len(successors):
                work.append((node, position + 1))
                nxt = successors[position]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    """One concrete cycle through the group, each hop with the importing line."""
    members = set(group)
    start = group[0]
    path, seen, node = [start], {start}, start
    while True:
        following = sorted(m for m in graph.find_modules_directly_imported_by(node) if m in members)
        nxt = next((m for m in following if m == start), None) or next((m for m in following if m not in seen),
                                                                        following[0])
        path.append(nxt)
        if nxt == start or nxt in seen:
            break
        seen.add(nxt)
        node = nxt
    hops = []
    for importer, imported in zip(path, path[1:], strict=False):
        lines = [str(d["line_number"]) for d in graph.get_import_details(importer=importer, imported=imported)]
        hops.append(f"  {importer} -> {imported} (l.{', '.join(lines)})")
    return "\n".join(hops)


def main(argv: list[str]) -> int:
    package = argv[1] if len(argv) > 1 else "hi"
    graph = grimp.build_graph(package, include_external_packages=False)
    groups = strongly_connected(graph)
    if not groups:
        print(f"import cycles: none among {len(graph.modules)} modules of {package}")
        return 0
    print(f"import cycles: {len(groups)} group(s) of modules import each other:")
    for group in groups:
        print(f"- {', '.join(group)}")
        print(describe(graph, group))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
