"""Real network namespaces on a bridge: the project's own small LAN (root needed)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


class Lan:
    """Hosts (one namespace each, ``eth0`` on a shared bridge) named with a per-test prefix."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.audit = tempfile.mktemp(prefix=f"{prefix}-audit-")
        self.hosts: list[str] = []
        self.hub = f"{prefix}hub"
        sh("ip", "netns", "add", self.hub)
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")

    def host(self, name: str, address: str) -> str:
        ns = f"{self.prefix}{name}"
        sh("ip", "netns", "add", ns)
        self.hosts.append(ns)
        sh("ip", "-n", self.hub, "link", "add", f"p-{name}", "type", "veth", "peer", "name",
           "eth0", "netns", ns)
        sh("ip", "-n", self.hub, "link", "set", f"p-{name}", "master", "br0", "up")
        sh("ip", "-n", ns, "addr", "add", address, "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def run(self, ns: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return sh("ip", "netns", "exec", ns, *cmd, check=check)

    def lvstui(self, ns: str, *args: str) -> subprocess.CompletedProcess:
        return self.run(ns, sys.executable, "-m", "lvstui.cli", "--audit-log", self.audit, *args,
                        check=False)

    def mac(self, ns: str) -> str:
        out = sh("ip", "-n", ns, "-o", "link", "show", "eth0").stdout
        return out.split("link/ether ")[1].split()[0]

    def sysctl(self, ns: str, name: str) -> str:
        return self.run(ns, "sysctl", "-n", name).stdout.strip()

    def close(self) -> None:
        for ns in [*self.hosts, self.hub]:
            sh("ip", "netns", "del", ns, check=False)


@pytest.fixture
def lan(request):
    assert os.geteuid() == 0, "the netns tier needs root (network namespaces)"
    lab = Lan(f"lt{os.getpid() % 1000}{len(request.node.name) % 10}-")
    try:
        yield lab
    finally:
        lab.close()
