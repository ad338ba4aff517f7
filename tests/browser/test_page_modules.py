"""The page's script modules, read as text: how they import each other and what they may not contain.

No browser or server needed. The unit tests in api/src/routes/page.rs check the other half: that every
module imported is one the binary serves.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "api" / "static"
ENTRY = "manage.js"
# Built by the server from its own enums (api/src/routes/page.rs), so there is no file to read.
GENERATED = {"js/vocabulary.js"}
IMPORT = re.compile(r"^import\s[^;]*?['\"]([^'\"]+)['\"]\s*;", re.M | re.S)


def modules() -> dict[str, str]:
    found = {ENTRY: (STATIC / ENTRY).read_text()}
    for path in sorted((STATIC / "js").glob("*.js")):
        found[path.relative_to(STATIC).as_posix()] = path.read_text()
    return found


def import_graph() -> dict[str, list[str]]:
    graph = {}
    for name, source in modules().items():
        graph[name] = [posixpath.normpath(posixpath.join(posixpath.dirname(name), spec))
                       for spec in IMPORT.findall(source)]
    for target in {t for targets in graph.values() for t in targets} & GENERATED:
        graph[target] = []
    return graph


def test_every_import_is_a_module_of_the_page():
    graph = import_graph()
    for name, targets in graph.items():
        for target in targets:
            assert target in graph, f"{name} imports {target}, which is neither a file nor generated"


def test_the_modules_import_each_other_without_a_circle():
    graph = import_graph()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        for target in graph.get(name, []):
            visit(target, path + [name])
        done.add(name)

    for name in graph:
        visit(name, [])
    assert done == set(graph), "some module is not reached"


def test_every_module_is_reached_from_the_entry_point():
    graph = import_graph()
    reached, todo = set(), [ENTRY]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(graph[name])
    assert reached == set(graph), f"never loaded: {sorted(set(graph) - reached)}"


def test_modules_stay_small_and_say_what_they_hold():
    for name, source in modules().items():
        assert source.count("\n") <= 400, f"{name} has grown past 400 lines: split it"
        assert source.startswith(("//", "/*")), f"{name} does not open with a comment saying what it holds"


def test_no_module_writes_html_or_calls_another_origin():
    for name, source in modules().items():
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert banned not in source, (name, banned)
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", source), (
            f"{name}: the page must call the API with relative URLs")
        assert not re.search(r"\bimport\s*\(", source), f"{name}: a dynamic import escapes these checks"
