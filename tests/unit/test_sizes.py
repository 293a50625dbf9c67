"""Small rooms: no class over 300 lines, no function over 60 in lvstui/."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2] / "lvstui"
CLASS_LINES, FUNCTION_LINES = 300, 60


def oversized(source: str, where: str) -> dict[str, int]:
    """Each class and function of *source* over its limit: ``where:name`` -> its lines."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        limit = (CLASS_LINES if isinstance(node, ast.ClassDef) else FUNCTION_LINES
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None)
        if limit is not None and node.end_lineno - node.lineno + 1 > limit:
            found[f"{where}:{node.name}"] = node.end_lineno - node.lineno + 1
    return found


def test_no_room_is_larger_than_one_head():
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        found.update(oversized(path.read_text(), str(path.relative_to(ROOT))))
    assert not found, f"over {CLASS_LINES} lines a class or {FUNCTION_LINES} a function: {found}"


def test_the_check_sees_a_room_too_large():
    """The control: a class of 301 lines and a function of 61 are found, smaller ones not."""
    big_class = "class A:\n" + "    x = 1\n" * 300
    big_function = "def f():\n" + "    pass\n" * 60
    small = "class B:\n" + "    y = 2\n" * 299 + "def g():\n" + "    pass\n" * 59
    assert oversized(big_class + big_function + small, "m.py") == {"m.py:A": 301, "m.py:f": 61}
