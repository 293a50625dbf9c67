"""Shared fixtures: ``table`` is every backend the contract suite runs against.

The memory backend runs everywhere; the netlink backend only inside the ip_vs VM
(``-m kernel``, started by tests/vm/run-kernel-tests.sh), where each test starts from an empty table.
"""

from __future__ import annotations

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
