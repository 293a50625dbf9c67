"""The import map CI enforces (.importlinter: layers, the demo only in the wiring, the UI's
I/O only through the session), no import cycle inside lvstui (function-level imports
included), and the console's shell kept small."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import grimp

ROOT = pathlib.Path(__file__).parents[2]


def test_the_import_contracts_hold():
    run = subprocess.run([pathlib.Path(sys.executable).parent / "lint-imports"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def cycles(graph, modules) -> list[list[str]]:
    """Every cycle found by a depth-first walk (one per back edge)."""
    found, state = [], {}

    def walk(module, path):
        state[module] = "open"
        for nxt in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, path + [nxt])
        state[module] = "done"

    for module in sorted(modules):
        if module not in state:
            walk(module, [module])
    return found


def test_no_import_cycle_inside_lvstui():
    graph = grimp.build_graph("lvstui")
    modules = {m for m in graph.modules if m.startswith("lvstui")}
    assert cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle():
    """The control: a graph with a cycle is caught."""
    graph = grimp.ImportGraph()
    for a, b in (("x.a", "x.b"), ("x.b", "x.c"), ("x.c", "x.a")):
        graph.add_import(importer=a, imported=b)
    assert cycles(graph, set(graph.modules)) == [["x.a", "x.b", "x.c", "x.a"]]


def test_the_console_app_is_a_shell():
    assert len((ROOT / "lvstui/ui/app.py").read_text().splitlines()) <= 400
