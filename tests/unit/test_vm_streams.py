"""scripts/test.sh runs the VM tiers as streams that each collect only their own folders: every
test a VM tier marks must live in one of them, or it would never run."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def streams(script: str) -> list[tuple[str, list[str]]]:
    """``MARK:PATH,...[@NETNS]`` arguments of run-vm-streams.sh in *script* (the kernel tier's
    from tests/vm/kernel-streams.sh): (mark, paths) for each stream."""
    call = re.search(r"^\s*tests/vm/run-vm-streams\.sh((?:\\\n|[^\n>])*)", script, re.M)
    assert call, "scripts/test.sh no longer runs tests/vm/run-vm-streams.sh"
    specs = call.group(1).replace("\\\n", " ").split()
    if '"${kernel_streams[@]}"' in specs:
        specs.remove('"${kernel_streams[@]}"')
        specs += subprocess.run([ROOT / "tests" / "vm" / "kernel-streams.sh"], text=True,
                                capture_output=True, check=True).stdout.split()
    return [(spec.partition(":")[0], (spec.partition(":")[2].partition("@")[0] or "tests")
             .split(",")) for spec in specs]


def marked_files(mark: str) -> set[str]:
    """The files holding tests that carry *mark* (pytest's own collection)."""
    listed = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-m", mark,
                             "-p", "no:cacheprovider", "tests"], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout
    return {line.split("::")[0] for line in listed.splitlines() if "::" in line}


def outside(files: set[str], paths: list[str]) -> set[str]:
    return {f for f in files if not any(f == p or f.startswith(p.rstrip("/") + "/")
                                        for p in paths)}


def in_two(files: set[str], each: list[list[str]]) -> set[str]:
    """The files that more than one stream's paths collect."""
    return {f for f in files if sum(not outside({f}, paths) for paths in each) > 1}


def test_every_vm_test_is_in_its_streams_folders():
    """Each file of a tier in exactly one of its streams: never left out, never run twice."""
    tiers: dict[str, list[list[str]]] = {}
    for mark, paths in streams((ROOT / "scripts" / "test.sh").read_text()):
        tiers.setdefault(mark, []).append(paths)
    assert set(tiers) == {"kernel", "pair", "cluster"}
    assert len(tiers["kernel"]) == 2
    for mark, each in tiers.items():
        files = marked_files(mark)
        assert files, f"no test is marked {mark}"
        assert not outside(files, sum(each, [])), f"{mark} tests outside {each}"
        assert not in_two(files, each), f"{mark} tests in two streams: {in_two(files, each)}"


def test_the_check_sees_a_test_outside_its_folders():
    """The control: the contract tests are kernel tests outside tests/kernel."""
    assert outside(marked_files("kernel"), ["tests/kernel"]) == {"tests/contract/test_table.py"}


def test_the_check_sees_a_test_in_two_streams():
    """The control: a file named by one stream inside another's folder."""
    each = [["tests/kernel/test_guard_rails.py"], ["tests/kernel"]]
    assert in_two({"tests/kernel/test_guard_rails.py", "tests/kernel/x.py"}, each) == {
        "tests/kernel/test_guard_rails.py"}
