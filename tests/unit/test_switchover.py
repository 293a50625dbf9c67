"""The make-before-break switchover's use case on the demo's parts: this director's memory
table and simulated network and heartbeat, the peer a real ``lvstui --demo agent`` process
(its own table and addresses). The real proof, with heartbeat's own resource scripts and a
client, is the cluster tier's (tests/cluster/test_switchover.py)."""

from __future__ import annotations

import sys

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.demo.heartbeat import PEER, SimulatedHeartbeat
from lvstui.demo.network import SimulatedNetwork
from lvstui.model import SyncDaemon
from lvstui.peer import AgentLink, Peer
from lvstui.session import Session

VIP = "172.26.46.119"


class StuckHeartbeat(SimulatedHeartbeat):
    """A heartbeat that takes the request and never moves (its resource script hangs)."""

    def standby(self) -> None:
        pass


def session_with_peer(tmp_path, heartbeat=SimulatedHeartbeat, sync=("master", "backup")):
    network = SimulatedNetwork()
    session = Session(reference_cluster(), network=network, heartbeat=heartbeat(network),
                      audit=AuditLog(str(tmp_path / "audit.log")), ha_dir=str(tmp_path))
    peers: list[Peer] = []

    def opener():
        peer = Peer(AgentLink(PEER, [sys.executable, "-m", "lvstui", "--demo", "--audit-log",
                                     str(tmp_path / "peer-audit.log"), "agent"]), "test")
        for state in sync[1:]:
            peer.start_daemon(SyncDaemon(state, "eth1", 1))
        peers.append(peer)
        return peer
    session.pair.opener = opener
    for state in sync[:1]:
        session.backend.start_daemon(SyncDaemon(state, "eth1", 1))
    return session


@pytest.fixture
def session(tmp_path):
    made = session_with_peer(tmp_path)
    yield made
    made.pair.close()


def peer_vips(session) -> list[str]:
    return session.pair.connected().state().vips


def test_standby_puts_the_vip_on_the_peer_before_heartbeat_releases_it(session):
    plan = session.switchover.plan("standby", VIP)
    assert plan.early and not plan.refused, plan
    assert VIP not in peer_vips(session)
    result = session.switchover.run("standby", VIP, timeout=30, traffic_wait=0.2)
    assert result.ok, result.error
    assert VIP in peer_vips(session) and VIP not in session.network.vips()
    assert result.commands[0].startswith(f"{PEER}: added {VIP}")
    assert "hb_standby" in result.commands
    assert f"the VIP {VIP} moved to {PEER} with no gap" in result.detail
    assert "hb_standby" in session.journal.last.what


def test_a_heartbeat_that_does_not_move_leaves_the_vip_where_it_was(tmp_path):
    session = session_with_peer(tmp_path, heartbeat=StuckHeartbeat)
    try:
        result = session.switchover.run("standby", VIP, timeout=1, traffic_wait=0.2)
        assert not result.ok
        assert "heartbeat did not hand over within 1 s: the early VIP was taken back off " \
               f"{PEER}" in result.error
        assert VIP not in peer_vips(session) and VIP in session.network.vips()
        assert f"{PEER}: removed {VIP}" in " ".join(result.commands)
    finally:
        session.pair.close()


def test_refused_when_the_taker_receives_no_synced_connections(tmp_path):
    session = session_with_peer(tmp_path, sync=("master",))
    try:
        plan = session.switchover.plan("standby", VIP)
        assert not plan.early
        assert plan.refused == (f"{PEER}'s sync daemon does not run as backup: the connections "
                                f"would not follow the VIP to {PEER}")
        result = session.switchover.run("standby", VIP, timeout=1, plan=plan)
        assert not result.ok and VIP in session.network.vips()      # nothing moved
    finally:
        session.pair.close()


def test_refused_when_the_pair_differs(session):
    svc = session.backend.services()[0]
    session.backend.set_weight(svc, "172.26.46.80", 80, 3)     # here only
    plan = session.switchover.plan("standby", VIP)
    assert plan.refused.startswith(f"{PEER} differs from ")
    assert "lvstui sync --to" in plan.refused


def test_without_a_reachable_peer_the_plain_hand_over_says_its_gap(tmp_path):
    network = SimulatedNetwork()
    session = Session(reference_cluster(), network=network,
                      heartbeat=SimulatedHeartbeat(network), ha_dir=str(tmp_path),
                      audit=AuditLog(str(tmp_path / "audit.log")))
    session.pair.opener = lambda: Peer(AgentLink("nowhere", ["false"]), "test")
    plan = session.switchover.plan("standby", VIP)
    assert not plan.early and not plan.refused
    assert plan.why_plain.startswith("the peer cannot be reached")
    assert "seconds of failed requests" in plan.way


def test_a_plan_asked_earlier_is_checked_again_before_it_runs(session):
    plan = session.switchover.plan("standby", VIP)
    assert plan.early
    session.pair.connected().stop_daemon("backup")          # while the question was open
    plan.made -= 60                                         # a minute ago
    result = session.switchover.run("standby", VIP, timeout=5, traffic_wait=0.2, plan=plan)
    assert not result.ok and result.error.startswith("not started: since the question was "
                                                     "asked, ")
    assert "does not run as backup" in result.error
    assert VIP not in peer_vips(session) and VIP in session.network.vips()


def test_a_vip_heartbeat_moves_on_another_interface_is_handed_over_the_plain_way(tmp_path):
    made = session_with_peer(tmp_path)
    try:
        (tmp_path / "ha.cf").write_text("node rh1.cluster.net\nnode debian.cluster.net\n")
        (tmp_path / "haresources").write_text(f"rh1.cluster.net {VIP}/24/eth1\n")
        plan = made.switchover.plan("standby", VIP)
        assert not plan.early and plan.why_plain == (
            f"heartbeat moves {VIP} on eth1, lvstui's early VIP would go on eth0")
        (tmp_path / "haresources").write_text(f"rh1.cluster.net {VIP}/24/eth0\n")
        assert made.switchover.plan("standby", VIP).early          # control: its own one
    finally:
        made.pair.close()


class CountingSide:
    """A director whose VIP counter is what the test sets; unreadable when set to None."""

    def __init__(self, name: str, conns: int | None = 0):
        self.name, self.count = name, conns

    def conns(self, vip: str) -> int:
        if self.count is None:
            raise OSError("link closed")
        return self.count


def test_the_traffic_watch_says_both_directors_rates_once_a_second():
    from lvstui.cases.switchover import TrafficWatch
    giver, taker, now, said = CountingSide("ld1", 1000), CountingSide("ld2", 50), [0.0], []
    watch = TrafficWatch((giver, taker), VIP, said.append, clock=lambda: now[0])
    watch.tick()                                   # the first sample says nothing yet
    giver.count, taker.count, now[0] = 1020, 50, 0.5
    watch.tick()                                   # half a second: not yet
    giver.count, taker.count, now[0] = 1020, 80, 2.0
    watch.tick()
    taker.count = None                             # the peer unreadable: skipped, no crash
    now[0] = 3.0
    watch.tick()
    taker.count, now[0] = 100, 3.5
    watch.tick(force=True)                         # the last word, whatever the time
    assert said == [f"{VIP} new connections/s: ld1 10 · ld2 15",
                    f"{VIP} new connections/s: ld1 0 · ld2 13"]


def test_without_a_listener_the_watch_reads_nothing():
    from lvstui.cases.switchover import TrafficWatch
    side = CountingSide("ld1", None)               # would raise if read
    TrafficWatch((side,), VIP, None).tick(force=True)


@pytest.mark.parametrize("held, giving, enough", [
    (4, 6, True),          # the long-lived four synced, two short ones in flight (CI run 7)
    (0, 5, True), (0, 6, False),                 # a few in flight, never more
    (900, 1000, True), (899, 1000, False),       # a tenth of a busy director's
    (0, 0, True),
])
def test_the_taker_may_miss_a_tenth_or_a_few_in_flight(held, giving, enough):
    from lvstui.cases.switchover import synced_enough
    assert synced_enough(held, giving) is enough


class DeafHeartbeat(SimulatedHeartbeat):
    """Drops the first standby, as heartbeat drops one asked while resources are moving."""

    asked = 0

    def standby(self) -> None:
        self.asked += 1
        if self.asked > 1:
            super().standby()


def test_a_hand_over_heartbeat_dropped_is_asked_again(tmp_path, monkeypatch):
    monkeypatch.setattr("lvstui.cases.switchover.ASK_AGAIN_AFTER", 0.5)
    session = session_with_peer(tmp_path, heartbeat=DeafHeartbeat)
    try:
        result = session.switchover.run("standby", VIP, timeout=30, traffic_wait=0.2)
        assert result.ok, result.error
        assert session.heartbeat.asked == 2
        assert "hb_standby again: heartbeat had begun no hand-over" in result.commands
        assert VIP in peer_vips(session) and VIP not in session.network.vips()
    finally:
        session.pair.close()


def test_a_hand_over_under_way_is_not_asked_again(tmp_path, monkeypatch):
    """The control: heartbeat in a transition (its resource scripts slow) is left to it."""
    monkeypatch.setattr("lvstui.cases.switchover.ASK_AGAIN_AFTER", 0.2)

    class Moving(SimulatedHeartbeat):
        asked = 0

        def state(self):
            from dataclasses import replace
            return replace(super().state(), resources="transition")

        def standby(self):
            self.asked += 1
            super().standby()
    session = session_with_peer(tmp_path, heartbeat=Moving)
    try:
        result = session.switchover.run("standby", VIP, timeout=30, traffic_wait=0.2)
        assert result.ok, result.error
        assert session.heartbeat.asked == 1
    finally:
        session.pair.close()
