"""The one file for directors (scripts/build.sh, run before the tests by scripts/test.sh):
Debian's own /usr/bin/python3 runs it in a network namespace without any network, with an
empty environment and an empty HOME — no venv, no pip."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time

import pytest

from tests.pace import patience

from lvstui import __version__

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYZ = os.path.join(ROOT, "dist", f"lvstui-{__version__}.pyz")


@pytest.fixture(scope="module")
def pyz():
    assert os.path.exists(PYZ), f"{PYZ} is made by scripts/build.sh (scripts/test.sh runs it)"
    assert os.path.exists("/usr/bin/python3") and shutil.which("unshare")
    return PYZ


def offline(home, *args: str) -> subprocess.CompletedProcess:
    """``/usr/bin/python3 PYZ ARGS`` with no network (only a down loopback) and no environment
    but an empty HOME."""
    return subprocess.run(["unshare", "-n", "env", "-i", f"HOME={home}", "/usr/bin/python3",
                           *args], capture_output=True, text=True, timeout=120)


def test_the_file_runs_offline_with_debians_python(pyz, tmp_path):
    got = offline(tmp_path, pyz, "--version")
    assert (got.returncode, got.stdout) == (0, f"lvstui {__version__}\n"), got.stderr
    listed = offline(tmp_path, pyz, "list", "--demo")
    assert listed.returncode == 0, listed.stderr
    assert "TCP  172.26.46.119:80 wlc" in listed.stdout
    assert "  -> 172.26.46.80:80              Route   1" in listed.stdout


def test_the_console_from_the_file_shows_the_demo_cluster(pyz, tmp_path):
    name = f"lvstui-pyz-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                    f"unshare -n env -i HOME={tmp_path} TERM=xterm-256color /usr/bin/python3 "
                    f"{pyz} --demo"], check=True)
    try:
        deadline = time.monotonic() + patience(10)
        while True:
            text = subprocess.run(["tmux", "capture-pane", "-p", "-t", name],
                                  capture_output=True, text=True).stdout
            if all(part in text for part in ("172.26.46.80:80", "Health", "rh1.cluster.net",
                                             "? Help")):
                break
            assert time.monotonic() < deadline, f"the console never showed the demo:\n{text}"
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_the_man_page_and_completion_come_from_the_parser(pyz):
    man = open(os.path.join(ROOT, "dist", "lvstui.1")).read()
    for command in ("save", "restore", "list", "set", "daemon", "zero", "flush", "monitor", "ha"):
        assert f"\\fI\\,{command}\\/\\fR" in man
    assert "\\-\\-thresholds" in man and "\\-\\-confirm\\-within" in man
    bash = open(os.path.join(ROOT, "dist", "lvstui.bash")).read()
    assert "--persistent-conn" in bash and "daemon" in bash
    assert glob.glob(os.path.join(ROOT, "dist", "_lvstui"))


def test_every_package_of_the_source_is_packaged():
    """A package left out of pyproject.toml works from the tree and fails in the zipapp."""
    import tomllib
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {".".join(p.parent.relative_to(root).parts)
             for p in (root / "lvstui").rglob("__init__.py")}
    assert found <= listed, f"not in pyproject.toml's packages: {sorted(found - listed)}"

