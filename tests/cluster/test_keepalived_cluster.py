"""The seed's cluster run by keepalived 2.2.7 (keepalived_lab.py), lvstui on each director as
an operator runs it there, with no option saying which HA manager runs: each director's VRRP
state and keepalived's verdict on the real servers read; a standby and a takeover through
lvstui's track_file move the VIP while keepalived keeps running on both (its virtual servers
stay in the kernel), and the client's long-lived connections, kept by the sync daemon, do not
break."""

from __future__ import annotations

import os
import shutil

import pytest

from ..heartbeat.harness import VIP
from ..pace import patience, until
from .keepalived_lab import KeepalivedCluster
from .lab import REAL_SERVERS, server_rows, serving_both, stop_client

pytestmark = pytest.mark.cluster
# a long-lived request waits out the VIP's move (VRRP: three adverts of a second, then the
# gratuitous ARPs): twice the longest move the tests wait for
LONG_LIVED = str(round(2 * patience(5)))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    for tool in ("keepalived", "ipvsadm", "nsenter"):
        assert shutil.which(tool), f"{tool} is installed by scripts/install.sh --test"
    cluster = KeepalivedCluster(str(tmp_path_factory.mktemp("keepalived")), prefix="lvk")
    try:
        cluster.up()
        cluster.sync(True)
        cluster.start_both()
        yield cluster
    finally:
        cluster.down()


def status(lab: KeepalivedCluster, n: int) -> str:
    """``lvstui ha status`` on director n once keepalived answered it (a busy VM may answer a
    read later than the read waits: asked again)."""
    def answered():
        done = lab.lvstui(n, "ha", "status")
        said = done.stdout + done.stderr
        return said if said.count("answered now") == 2 else None
    return until(answered, 10, f"LD{n}'s keepalived answering lvstui ha status")


def role(lab: KeepalivedCluster, n: int) -> str:
    lines = [line.split() for line in status(lab, n).splitlines()]
    return next((words[1] for words in lines if words[:1] == ["VI_1"]), "")


def in_table(lab: KeepalivedCluster, n: int) -> set[str]:
    return set(server_rows(lab.ipvsadm(n, "-Ln")))


def test_each_director_reads_its_keepalived_and_the_vip_serves_both(lab):
    until(lambda: role(lab, 1) == "MASTER" and role(lab, 2) == "BACKUP", 10,
          "LD1 MASTER (priority 150), LD2 BACKUP")
    shown = status(lab, 1)
    assert "priority 150 (base 150)" in shown and f"VIPs {VIP}/24" in shown, shown
    assert f"lvstui's track_file lvstui_priority ({lab.node_dir(1)}/priority): 0" in shown
    for ip in REAL_SERVERS.values():
        assert f"TCP {VIP}:80 -> {ip}:80: alive (TCP_CHECK), weight 1" in shown, shown
    backup = status(lab, 2)
    assert "master's priority 150" in backup, backup
    serving_both(lab, 1, "LD1 serving both real servers")
    listed = lab.lvstui(2, "list")
    assert listed.returncode == 0, listed.stderr
    assert rows(listed.stdout) == rows(lab.ipvsadm(2, "-Ln")), listed.stdout


def rows(listing: str) -> list[list[str]]:
    """ipvsadm -Ln's services and real servers without their connection counts (the sync
    daemon moves those between two reads)."""
    return [line.split()[:4] for line in listing.splitlines()[3:]]


def test_standby_and_takeover_through_keepalived_keep_the_client_working(lab):
    client = lab.client("--patience", LONG_LIVED)
    lab.wait_synced(client)
    wait = str(round(patience(10)))
    standby = lab.lvstui(1, "ha", "standby", "--wait", VIP, "--timeout", wait)
    assert standby.returncode == 0, standby.stdout + standby.stderr
    assert f"the VIP {VIP} moved to the peer" in standby.stdout
    until(lambda: role(lab, 2) == "MASTER" and role(lab, 1) == "BACKUP", 10,
          "LD2 MASTER, LD1 BACKUP at priority 1")
    assert "priority 1 (base 150)" in status(lab, 1)
    # keepalived still runs on LD1: its virtual server stayed in the kernel
    assert in_table(lab, 1) == {f"{ip}:80" for ip in REAL_SERVERS.values()}
    serving_both(lab, 2, "LD2 serving both real servers")
    lab.wait_synced(client)
    takeover = lab.lvstui(1, "ha", "takeover", "--wait", VIP, "--timeout", wait)
    assert takeover.returncode == 0, takeover.stdout + takeover.stderr
    assert f"the VIP {VIP} moved here" in takeover.stdout and lab.holder() == 1
    with open(os.path.join(lab.node_dir(1), "priority")) as fh:
        assert fh.read().strip() == "0"
    serving_both(lab, 1, "LD1 serving both again")
    seen = stop_client(client)
    assert seen["broken"] == 0, seen
    assert set(seen["pages"]) == {"RS1", "RS2"} and seen["failed"] < seen["requests"] / 2, seen
    audit = open(os.path.join(lab.node_dir(1), "audit.log")).read()
    assert "keepalived standby" in audit and "keepalived takeover" in audit
