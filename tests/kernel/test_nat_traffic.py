"""Inside the ip_vs VM: real TCP through IPVS NAT to two backends, counted by lvstui."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from lvstui.model import Forwarding, RealServer, parse_service

pytestmark = pytest.mark.kernel

CLIENT = """
import collections, urllib.request
seen = collections.Counter()
for _ in range(6):
    seen[urllib.request.urlopen("http://10.0.0.1/who", timeout=10).read().decode().strip()] += 1
print(dict(seen))
"""


def sh(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def nat_lab(tmp_path):
    """Client ns -> VIP 10.0.0.1 on a dummy device -> backends 10.2.{1,2}.2:8000 in their ns."""
    sh("sysctl", "-qw", "net.ipv4.ip_forward=1")
    sh("ip", "link", "add", "lt-vip", "type", "dummy")
    sh("ip", "link", "set", "lt-vip", "up")
    sh("ip", "addr", "add", "10.0.0.1/32", "dev", "lt-vip")
    sh("ip", "netns", "add", "lt-c")
    sh("ip", "link", "add", "lt-c1", "type", "veth", "peer", "name", "lt-c0", "netns", "lt-c")
    sh("ip", "addr", "add", "10.1.0.1/24", "dev", "lt-c1")
    sh("ip", "link", "set", "lt-c1", "up")
    for cmd in ("addr add 10.1.0.2/24 dev lt-c0", "link set lt-c0 up", "link set lo up",
                "route add default via 10.1.0.1"):
        sh("ip", "-n", "lt-c", *cmd.split())
    servers = []
    for i in (1, 2):
        ns = f"lt-b{i}"
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", f"lt-b{i}a", "type", "veth", "peer", "name", f"lt-b{i}b", "netns", ns)
        sh("ip", "addr", "add", f"10.2.{i}.1/24", "dev", f"lt-b{i}a")
        sh("ip", "link", "set", f"lt-b{i}a", "up")
        for cmd in (f"addr add 10.2.{i}.2/24 dev lt-b{i}b", f"link set lt-b{i}b up",
                    "link set lo up", f"route add default via 10.2.{i}.1"):
            sh("ip", "-n", ns, *cmd.split())
        www = tmp_path / f"www{i}"
        www.mkdir()
        (www / "who").write_text(f"backend-{i}\n")
        servers.append(subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, "-m", "http.server", "8000",
             "--bind", f"10.2.{i}.2", "--directory", str(www)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for i in (1, 2):
            deadline = time.monotonic() + 60
            while ":8000" not in sh("ip", "netns", "exec", f"lt-b{i}", "ss", "-ltn"):
                assert time.monotonic() < deadline, f"backend {i} did not start"
                time.sleep(0.2)
        yield
    finally:
        for p in servers:
            p.kill()
            p.wait()
        for ns in ("lt-c", "lt-b1", "lt-b2"):
            subprocess.run(["ip", "netns", "del", ns])
        subprocess.run(["ip", "link", "del", "lt-vip"])
        subprocess.run(["ip", "link", "del", "lt-c1"])


def test_nat_spreads_connections_and_lvstui_counts_them(nat_lab):
    from lvstui.ipvs.netlink import NetlinkBackend
    table = NetlinkBackend()
    table.flush()
    try:
        svc = parse_service("10.0.0.1:80")
        svc.scheduler = "rr"
        table.add_service(svc)
        for i in (1, 2):
            table.add_server(svc, RealServer(f"10.2.{i}.2", 8000, Forwarding.MASQ))
        out = sh("ip", "netns", "exec", "lt-c", sys.executable, "-c", CLIENT)
        assert out.strip() == "{'backend-1': 3, 'backend-2': 3}" or \
            out.strip() == "{'backend-2': 3, 'backend-1': 3}", out
        # the kernel folds its per-CPU counters in every ~2 s: poll, bounded
        deadline = time.monotonic() + 20
        while (live := table.find_service(svc)).stats.conns < 6:
            assert time.monotonic() < deadline, f"counters stayed at {live.stats}"
            time.sleep(0.5)
        assert live.stats.conns == 6
        assert sorted(rs.stats.conns for rs in live.servers) == [3, 3]
        assert all(rs.stats.inpkts > 0 and rs.stats.outbytes > 0 for rs in live.servers)
        conns = table.connections()
        assert len(conns) == 6
        assert {c.destination for c in conns} == {"10.2.1.2", "10.2.2.2"}
        assert all(c.virtual == "10.0.0.1" and c.virtual_port == 80 and c.client == "10.1.0.2"
                   for c in conns)
        assert live.stats.inpps > 0 or live.stats.cps > 0, "the rate estimator never moved"
        # zero, on counters that are not zero: lvstui and ipvsadm both see them cleared
        table.zero(svc)
        zeroed = table.find_service(svc)
        assert zeroed.stats.conns == 0 and all(rs.stats.conns == 0 for rs in zeroed.servers)
        stats = sh("ipvsadm", "-Ln", "--stats", "--exact", "-t", "10.0.0.1:80")
        assert [line.split()[2] for line in stats.splitlines() if "->" in line and
                "10.2." in line] == ["0", "0"], stats
    finally:
        table.flush()
        table.close()
