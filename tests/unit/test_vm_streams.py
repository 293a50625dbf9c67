"""scripts/test.sh runs the VM tiers as streams that each collect only their own folders: every
test a VM tier marks must live in one of them, or it would never run."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def streams(script: str) -> dict[str, list[str]]:
    """``MARK:PATH,...`` arguments of run-vm-streams.sh in *script*: mark -> paths."""
    call = re.search(r"^\s*tests/vm/run-vm-streams\.sh((?:\\\n|[^\n>])*)", script, re.M)
    assert call, "scripts/test.sh no longer runs tests/vm/run-vm-streams.sh"
    specs = call.group(1).replace("\\\n", " ").split()
    return {spec.partition(":")[0]: (spec.partition(":")[2] or "tests").split(",")
            for spec in specs}


def marked_files(mark: str) -> set[str]:
    """The files holding tests that carry *mark* (pytest's own collection)."""
    listed = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-m", mark,
                             "-p", "no:cacheprovider", "tests"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout
    return {line.split("::")[0] for line in listed.splitlines() if "::" in line}


def outside(files: set[str], paths: list[str]) -> set[str]:
    return {f for f in files if not any(f == p or f.startswith(p.rstrip("/") + "/")
                                        for p in paths)}


def test_every_vm_test_is_in_its_streams_folders():
    tiers = streams((ROOT / "scripts" / "test.sh").read_text())
    assert set(tiers) == {"kernel", "pair", "cluster"}
    for mark, paths in tiers.items():
        files = marked_files(mark)
        assert files, f"no test is marked {mark}"
        assert not outside(files, paths), f"{mark} tests outside {paths}"


def test_the_check_sees_a_test_outside_its_folders():
    """The control: the contract tests are kernel tests outside tests/kernel."""
    assert outside(marked_files("kernel"), ["tests/kernel"]) == {"tests/contract/test_table.py"}
