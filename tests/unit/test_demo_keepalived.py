"""The demo's keepalived (``lvstui --demo --ha keepalived``) driven by lvstui's own
KeepalivedCluster, as a real keepalived is: the priority through lvstui's track file, the
VIP moving as VRRP moves it, the state as keepalived's JSON would say it."""

from __future__ import annotations

import pytest

from lvstui.console import demo_world
from lvstui.keepalived.priority import PriorityFile
from tests.pace import until

VIP = "172.26.46.119"


@pytest.fixture
def world():
    world = demo_world(None, "keepalived")
    yield world
    world.close()


def holds(world) -> bool:
    return VIP in world.network.vips()


def test_standby_hands_the_vip_to_the_peer_and_takeover_brings_it_back(world):
    manager, keepalived = world.heartbeat, world.keepalived
    (vrrp,) = keepalived.state().instances
    assert (manager.name, vrrp.state, vrrp.effective_priority, holds(world)) == \
        ("keepalived", "MASTER", 150, True)
    manager.standby()
    assert PriorityFile(world.keepalived_conf).value() == -253
    until(lambda: not holds(world), 5, "the VIP gone to the peer after standby")
    (vrrp,) = keepalived.state().instances
    assert (vrrp.state, vrrp.effective_priority, vrrp.master_priority) == ("BACKUP", 1, 100)
    manager.takeover()                      # its own 150 outranks the master's 100: 0
    assert PriorityFile(world.keepalived_conf).value() == 0
    until(lambda: holds(world), 5, "the VIP back here after takeover")
    (vrrp,) = keepalived.state().instances
    assert (vrrp.state, vrrp.effective_priority) == ("MASTER", 150)


def test_control_a_priority_still_above_the_peers_moves_nothing(world):
    PriorityFile(world.keepalived_conf).write(-40)        # 110: still above debian's 100
    assert world.keepalived.effective() == 110
    with pytest.raises(AssertionError):
        until(lambda: not holds(world), 1.5, "the VIP gone")


def test_the_heartbeat_and_none_demos_have_no_keepalived():
    for ha, name in (("auto", "heartbeat"), ("heartbeat", "heartbeat"), ("none", None)):
        world = demo_world(None, ha)
        try:
            assert world.keepalived is None
            assert getattr(world.heartbeat, "name", None) == name
        finally:
            world.close()


def test_its_checkers_find_rs2_failing_when_the_demo_checks_do(world):
    """One simulation of the real servers: keepalived's verdicts and the console's checks
    agree (RS2 answers 503 from the 40th to the 60th second of every 90)."""
    now = [world.checks.start]
    world.checks.clock = lambda: now[0]
    verdicts = {v.server: v for v in world.keepalived.checkers().verdicts}
    assert {s: v.alive for s, v in verdicts.items()} == {"172.26.46.80:80": True,
                                                        "172.26.46.81:80": True}
    now[0] += 45
    verdicts = {v.server: v for v in world.keepalived.checkers().verdicts}
    assert not verdicts["172.26.46.81:80"].alive and verdicts["172.26.46.80:80"].alive
    assert world.checks.failing("172.26.46.81") and verdicts["172.26.46.81:80"].failed == 1


def test_the_demos_keepalived_checks_set_weights_as_keepalived_does(world):
    """A failing server goes to weight 0 (inhibit_on_failure) and is quiesced by a check in
    the health keepalived's checkers give (its keepalived.conf weight the intent); passing
    again it gets keepalived.conf's weight back, a live weight set in between included."""
    from lvstui.health.state import intents
    from lvstui.model import parse_service

    class Checks:
        down: set = set()

        def failing(self, host: str) -> bool:
            return host in self.down

    web = parse_service(f"{VIP}:80")
    rs2 = (web.key, ("172.26.46.81", 80))
    world.keepalived.checks = checks = Checks()

    def weight() -> int:
        return world.table.find_service(web).server("172.26.46.81", 80).weight
    checks.down = {"172.26.46.81"}
    until(lambda: weight() == 0, 5, "RS2 at weight 0 once its check fails")
    state = world.health.read()
    assert not state.servers[rs2].up and intents(state) == {rs2: 1}
    world.table.set_weight(web, "172.26.46.81", 80, 7)          # a live weight meanwhile
    checks.down = set()
    until(lambda: weight() == 1, 5, "RS2 back at keepalived.conf's weight")
    world.table.set_weight(web, "172.26.46.81", 80, 5)          # no verdict change: kept
    world.keepalived._check()
    assert weight() == 5 and world.keepalived.checkers().verdicts[1].alive
