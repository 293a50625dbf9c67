"""Shared fixtures: ``table`` is every backend the contract suite runs against.

The memory backend runs everywhere; the netlink backend only inside the ip_vs VM
(``-m kernel``, started by tests/vm/run-kernel-tests.sh), where each test starts from an empty table.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from lvstui.model import SCHEDULERS

# Debian 6.1's ip_vs has every scheduler but twos (added in 6.2): the memory table mirrors it.
KERNEL_SCHEDULERS = frozenset(SCHEDULERS) - {"twos"}


def _netlink():
    from lvstui.ipvs.netlink import NetlinkBackend
    return NetlinkBackend()


def _memory():
    from lvstui.ipvs.memory import MemoryBackend
    return MemoryBackend(schedulers=KERNEL_SCHEDULERS)


@pytest.fixture(params=["memory", pytest.param("netlink", marks=pytest.mark.kernel)])
def table(request):
    backend = _netlink() if request.param == "netlink" else _memory()
    backend.flush()
    yield backend
    backend.flush()
    backend.close()


def pytest_report_header(config):
    from tests.pace import MARGIN, slowness
    return f"lvstui: this machine's slowness {slowness():.1f} (deadlines x {MARGIN:g} of that)"


@pytest.fixture(scope="session", autouse=True)
def tmux_server():
    """One tmux server for the whole run: a keeper session holds it up, so a test's
    ``new-session`` never meets the server the previous test's ``kill-session`` of the last
    session is shutting down ("server exited unexpectedly"). A killed test run never tears its
    tmux sessions down (one kept a console drawing at a fifth of a core for 40 minutes beside
    a later run): sessions named for a test process that is gone are ended first."""
    if not shutil.which("tmux"):
        yield
        return
    listed = subprocess.run(["tmux", "ls", "-F", "#S"], capture_output=True, text=True)
    for name in listed.stdout.split():
        m = re.fullmatch(r"lvstui-[\w-]*?-(\d+)", name)
        if m and not os.path.exists(f"/proc/{m[1]}"):
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    keeper = f"lvstui-keeper-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keeper, "sleep 86400"],
                   capture_output=True)
    yield
    subprocess.run(["tmux", "kill-session", "-t", keeper], capture_output=True)
