"""The seed's own integration test, automated (run in the ip_vs VM by
tests/vm/run-cluster-tests.sh): browse the VIP and see both pages; fail a director over by hand
and by crashing it, with a client watching; fail a real server and watch lvstui monitor take it
out and put it back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading

import pytest

from ..heartbeat.harness import VIP
from ..pace import patience, until
from .lab import HEALTH_TOML, REAL_SERVERS, Cluster, server_rows, serving_both, stop_client

pytestmark = pytest.mark.cluster
DEADTIME = 10.0   # the seed's ha.cf: wall-clock seconds before LD2 declares LD1 dead
# a long-lived request waits out the VIP's absence: TCP retransmits at doubling intervals, so
# twice the longest failover the tests wait for
LONG_LIVED = str(round(2 * (DEADTIME + patience(3))))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    for tool in ("/usr/libexec/heartbeat/heartbeat", shutil.which("ipvsadm"),
                 shutil.which("nsenter")):
        assert tool and os.path.exists(tool), f"{tool} is installed by scripts/install.sh --test"
    cluster = Cluster(str(tmp_path_factory.mktemp("cluster")))
    try:
        cluster.up()
        cluster.sync(True)
        cluster.start_both()
        yield cluster
    finally:
        cluster.down()


def weights(lab: Cluster, n: int) -> dict[str, int]:
    """Real server -> weight in director n's table, as ipvsadm lists it."""
    return {server.split(":")[0]: int(columns[1])
            for server, columns in server_rows(lab.ipvsadm(n, "-Ln")).items()}


def test_browsing_the_vip_shows_both_pages_and_both_tools_count_them(lab):
    # wlc spreads them; a round after the cluster's first seconds is waited for (CI once saw
    # RS1 fail three requests in the first round, never reproduced in 144 requests of 3 labs)
    rounds: list[set] = []
    try:
        until(lambda: rounds.append(lab.pages(6)) or rounds[-1] == {"RS1", "RS2"}, 2,
              "a round of six requests answered by both pages", step=0.5)
    finally:
        print("rounds of six requests:", rounds)
    listing = lab.ipvsadm(1, "-Ln")
    conns = sum(int(columns[3]) for columns in server_rows(listing).values())
    assert conns >= 6, listing                                   # InActConn: the closed ones
    ours = lab.lvstui(1, "list")
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == lab.ipvsadm(1, "-Ln")
    shown = lab.python(1, "console_rows.py")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout.splitlines()[-1])
    listed = {server: columns[2:4]
              for server, columns in server_rows(lab.ipvsadm(1, "-Ln")).items()}
    assert rows == {server: [int(a), int(i)] for server, (a, i) in listed.items()}


def test_standby_and_takeover_with_lvstui_keep_the_client_working(lab):
    """Heartbeat's resource scripts are slow under the VM's emulated CPU (the VIP is away for
    seconds between LD1's IPaddr stop and LD2's start): new requests in that gap fail; the
    long-lived connections, kept by the sync daemon, must not break."""
    client = lab.client("--patience", LONG_LIVED)
    lab.wait_synced(client)
    wait = str(round(patience(3)))
    standby = lab.lvstui(1, "ha", "standby", "--wait", VIP, "--timeout", wait)
    assert standby.returncode == 0, standby.stderr
    assert f"the VIP {VIP} moved to the peer after" in standby.stdout
    lab.wait_holder(2, patience(1))
    lab.wait_stable(patience(3))
    takeover = lab.lvstui(1, "ha", "takeover", "--wait", VIP, "--timeout", wait)
    assert takeover.returncode == 0, takeover.stderr
    assert f"the VIP {VIP} moved here after" in takeover.stdout and lab.holder() == 1
    lab.wait_stable(patience(3))
    serving_both(lab, 1, "LD1 serving both again")
    seen = stop_client(client)
    assert seen["broken"] == 0, seen
    assert set(seen["pages"]) == {"RS1", "RS2"} and seen["failed"] < seen["requests"] / 2, seen


class Holders:
    """Which directors hold the VIP, sampled on a thread until stopped: the giver read before
    the taker, so a sample can only show none when the VIP really was nowhere."""

    def __init__(self, lab: Cluster, giver: int, taker: int):
        self.samples: list[tuple[bool, bool]] = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, args=(lab, giver, taker), daemon=True)
        self.thread.start()

    def run(self, lab, giver, taker):
        while not self.done.is_set():
            self.samples.append((lab.holds(giver), lab.holds(taker)))

    def stop(self) -> list[tuple[bool, bool]]:
        self.done.set()
        self.thread.join(timeout=60)
        return self.samples


def resources(lab: Cluster, n: int) -> str:
    """What heartbeat on director n says it holds (lvstui ha status: none, local, foreign,
    all)."""
    status = lab.lvstui(n, "ha", "status").stdout
    return status.split("resources here: ", 1)[1].split(";", 1)[0] if "resources here: " \
        in status else status


def switch(lab: Cluster, kind: str, giver: int, taker: int) -> subprocess.CompletedProcess:
    holders = Holders(lab, giver, taker)
    wait = patience(5)
    try:
        done = lab.lvstui(1, "ha", kind, "--wait", VIP, "--timeout", str(round(wait)),
                          *lab.peer_link(), timeout=max(300.0, 2 * wait))
        assert done.returncode == 0, done.stdout + done.stderr + lab.log_tails()
        lab.wait_holder(taker, patience(1))
        until(lambda: not lab.holds(giver), 1, f"LD{giver} let go of the VIP")
    finally:
        samples = holders.stop()
    assert f"{kind}: make before break" in done.stdout, done.stdout
    assert len(samples) >= 3 and all(g or t for g, t in samples), samples   # never nowhere
    assert (True, True) in samples, samples               # both held it: made, then broken
    assert samples[-1] == (False, True) and lab.holder() == taker
    return done


def test_a_planned_switchover_makes_before_it_breaks(lab):
    """The VIP is on LD2 before LD1's heartbeat lets go, and back: held by at least one
    director at every sample, by exactly one after; heartbeat's own state ends with the
    resources where the VIP is; long-lived connections go on. How long requests fail (none,
    is the target) is bench/cluster.py's to measure."""
    client = lab.client("--patience", LONG_LIVED)
    lab.wait_synced(client)
    standby = switch(lab, "standby", 1, 2)
    assert f"the VIP {VIP} moved to {lab.names[2]} with no gap" in standby.stdout
    # both directors' rates to the VIP said while it ran (the giver's first)
    assert f"{VIP} new connections/s: {lab.names[1]} " in standby.stdout, standby.stdout
    lab.wait_stable(patience(3))
    assert resources(lab, 2) in ("all", "foreign") and resources(lab, 1) == "none"
    lab.wait_synced(client)
    takeover = switch(lab, "takeover", 2, 1)
    assert f"the VIP {VIP} moved to {lab.names[1]} with no gap" in takeover.stdout
    lab.wait_stable(patience(3))
    assert resources(lab, 1) in ("all", "local") and resources(lab, 2) == "none"
    serving_both(lab, 1, "LD1 serving both again")
    seen = stop_client(client)
    print("client during both switchovers:", seen)
    assert seen["broken"] == 0, seen


def test_a_switchover_heartbeat_refuses_leaves_the_vip_where_it_was(lab):
    """Heartbeat cannot be asked (its fifo gone): the early VIP comes off LD2 again and LD1,
    which never let go, announces it; the client is served by LD1."""
    lab.wait_holder(1, patience(1))
    fifo = os.path.join(lab.node_dir(1), "varlib", "fifo")
    os.rename(fifo, fifo + ".away")
    try:
        done = lab.lvstui(1, "ha", "standby", "--wait", VIP, "--timeout", "5",
                          *lab.peer_link())
    finally:
        os.rename(fifo + ".away", fifo)
    assert done.returncode == 1, done.stdout
    assert f"the early VIP was taken back off {lab.names[2]}; {lab.names[1]} keeps it" \
        in done.stderr, done.stderr
    assert lab.holder() == 1
    serving_both(lab, 1, "LD1 serving both")


def test_a_failed_real_server_is_quiesced_by_the_monitor_and_restored(lab, tmp_path):
    """rr for this test: RS1's death leaves LD1 entries it never sees close (in DR the resets go
    from RS1 to the client), ESTABLISHED for 15 minutes, and wlc counts each as 256 of RS2's
    closed ones, so RS1's turn may come after any deadline (CI saw none in 511 s); rr gives
    a restored RS1 every other request."""
    config = tmp_path / "health.toml"
    config.write_text(HEALTH_TOML)
    lab.ipvsadm(1, "-E", "-t", f"{VIP}:80", "-s", "rr")
    seen: list[set] = []
    monitor = subprocess.Popen(lab.lvstui_command(
        1, "--audit-log", str(tmp_path / "audit.log"), "monitor", "--config", str(config),
        "--state", str(tmp_path / "health.json")), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        until(lambda: (tmp_path / "health.json").exists(), 2, "the monitor's first state")
        lab.web_stop(1)
        until(lambda: weights(lab, 1)[REAL_SERVERS[1]] == 0, 1, "RS1 quiesced on LD1")
        # a request in flight when RS1 stopped may fail; from then on RS2 serves every one
        until(lambda: lab.pages(6) == {"RS2"}, 1, "RS2 alone serving the client")
        lab.web_start(1)
        until(lambda: weights(lab, 1)[REAL_SERVERS[1]] == 1, 1, "RS1 restored on LD1")
        until(lambda: seen.append(lab.pages(6)) or "RS1" in seen[-1], 1,
              "RS1 serving the client again", step=0.5)
    except AssertionError:
        print("the last rounds of six requests:", seen[-3:], lab.ipvsadm(1, "-Ln"), sep="\n")
        raise
    finally:
        monitor.terminate()
        monitor.wait(timeout=patience(1))
        lab.ipvsadm(1, "-E", "-t", f"{VIP}:80", "-s", "wlc")
    audit = (tmp_path / "audit.log").read_text()
    assert "via=monitor" in audit and f"-r {REAL_SERVERS[1]}:80 -g -w 0" in audit


def test_a_crashed_director_is_replaced_and_connections_survive(lab):
    """How long the VIP is away is bench/cluster.py's to measure; here: LD2 takes it after
    deadtime, serves both real servers, and the synced long-lived connections go on; revived,
    LD1 takes the VIP back, alone."""
    client = lab.client("--patience", LONG_LIVED)
    lab.wait_synced(client)
    lab.crash(1)
    lab.wait_holder(2, DEADTIME + patience(2))
    serving_both(lab, 2, "LD2 serving both")
    seen = stop_client(client)
    assert seen["broken"] == 0, seen                       # the sync daemon kept them
    lab.revive(1)                                          # auto_failback: LD1 takes it back
    lab.wait_holder(1, DEADTIME + patience(3))
    # LD1 alone holds the VIP (heartbeat may still call itself "in transition" on LD2 for
    # minutes under the VM: CI run of e0dee10)
    until(lambda: lab.holder() == 1, 1, "LD1 the only holder of the VIP")
