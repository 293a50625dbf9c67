"""The import map CI enforces (.importlinter: layers, the demo only in the wiring, the UI's
I/O only through the session), no import cycle inside lvstui (function-level imports
included), and the console's shell kept small."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys

import grimp
import pytest

ROOT = pathlib.Path(__file__).parents[2]


def test_the_import_contracts_hold():
    run = subprocess.run([pathlib.Path(sys.executable).parent / "lint-imports"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize("contract, module, line", [
    ("Layers", "model.py", "from . import session"),
    ("Only the wiring imports the simulated cluster", "ui/format.py", "from .. import demo"),
    ("The UI reaches files, processes", "ui/format.py", "import subprocess"),
    ("The UI reads no file format", "ui/format.py", "from ..ha import config"),
    ("Adapters never import", "ha/cluster.py", "import textual"),
])
def test_each_contract_fails_when_broken(tmp_path, contract, module, line):
    """The control: a copy of the source with one forbidden import breaks that contract."""
    shutil.copytree(ROOT / "lvstui", tmp_path / "lvstui",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    with open(tmp_path / "lvstui" / module, "a") as fh:
        fh.write(f"\n{line}  # noqa\n")
    run = subprocess.run([pathlib.Path(sys.executable).parent / "lint-imports"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    broken = [ln for ln in run.stdout.splitlines() if ln.endswith("BROKEN")]
    assert any(ln.startswith(contract) for ln in broken), run.stdout


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
