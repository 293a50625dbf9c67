"""lvstui against two real heartbeat nodes (Debian heartbeat 3.0.6) in network namespaces."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from ..pace import patience, until
from .harness import VIP, TwoNodes

DEADTIME = 10.0          # the reference ha.cf's, wall-clock seconds
WAIT = str(round(patience(6)))     # lvstui ha standby/takeover --timeout

pytestmark = pytest.mark.heartbeat


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    assert os.geteuid() == 0, "the heartbeat tier needs root"
    assert shutil.which("cl_status"), "heartbeat is installed by scripts/install.sh --test"
    lab = TwoNodes(str(tmp_path_factory.mktemp("hb")), prefix=f"lh{os.getpid() % 1000}")
    lab.down()
    try:
        lab.up()
        lab.start(1)
        lab.start(2)
        lab.wait_holder(1, 30 + patience(10))   # cold start: initdead, resource negotiation
        lab.wait_stable()
        yield lab
    finally:
        lab.down()


def lvstui(cluster, n, *args):
    audit = os.path.join(cluster.lab, "audit.log")
    return cluster.x(n, sys.executable, "-m", "lvstui.cli", "--audit-log", audit, *args)


def status(cluster, n) -> dict[str, list[str]]:
    out = lvstui(cluster, n, "ha", "status")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    return {"head": [lines[0]], **{line.split()[0]: line.split() for line in lines[1:]}}


def test_both_nodes_seen_active_with_links_up(cluster):
    one = status(cluster, 1)
    assert one["head"][0].startswith("this node: node1; resources here: local; deadtime 10 s")
    assert one["node1"][:3] == ["node1", "active", "normal"]
    assert one["node2"] == ["node2", "active", "normal", "eth1", "up"]
    two = status(cluster, 2)                   # node2's own (preferred) group is empty
    assert two["head"][0].startswith("this node: node2; resources here: local")
    assert two["node1"][:2] == ["node1", "active"]


def test_standby_moves_the_vip_and_takeover_brings_it_back(cluster):
    moved = lvstui(cluster, 1, "ha", "standby", "--wait", VIP, "--timeout", WAIT)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert f"the VIP {VIP} moved to the peer after" in moved.stdout
    cluster.wait_holder(2, patience(3))
    assert f"inet {VIP}/24" in cluster.x(2, "ip", "addr", "show", "eth0").stdout
    assert not cluster.holds(1)
    cluster.wait_stable()
    back = lvstui(cluster, 1, "ha", "takeover", "--wait", VIP, "--timeout", WAIT)
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"the VIP {VIP} moved here after" in back.stdout
    cluster.wait_holder(1, patience(3))
    audit = open(os.path.join(cluster.lab, "audit.log")).read()
    assert "result=ok hb_standby" in audit and "result=ok hb_takeover: the VIP" in audit


def test_cl_status_is_the_fallback_when_the_socket_fails(cluster):
    cluster.wait_stable()
    code = ("from lvstui.ha.api import read_state\n"
            "s = read_state('/nonexistent/register')\n"
            "print(s.running, s.me, s.resources, s.deadtime,"
            " sorted((n.name, n.status, tuple(n.links.items())) for n in s.nodes))")
    got = cluster.x(2, sys.executable, "-c", code)
    assert got.returncode == 0, got.stderr
    running, me, resources, deadtime, nodes = got.stdout.split(" ", 4)
    # node2 holds none of node1's group: "local" (its own, empty) or "none" after a takeover
    assert (running, me, deadtime) == ("True", "node2", "10") and resources in ("local", "none")
    assert "('node1', 'active', (('eth1', 'up'),))" in nodes, nodes


def test_a_killed_active_node_is_seen_dead_and_the_vip_moves(cluster):
    cluster.wait_holder(1, patience(6))
    cluster.wait_stable()
    cluster.kill(1)
    # deadtime (10 s, wall clock) after the last heartbeat, then node2's resource scripts;
    # how long it took is bench/failover.py's to measure
    cluster.wait_holder(2, DEADTIME + patience(4))
    two = until(lambda: (s := status(cluster, 2))["node1"][1] == "dead" and s, 3,
                "node2 saying node1 is dead")
    assert two["head"][0].startswith("this node: node2; resources here: all")

