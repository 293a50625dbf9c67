"""keepalived's checkers as the health source of a keepalived director: each verdict as the
real server's health, a server kept at weight 0 (inhibit_on_failure) quiesced by a check (its
configured weight the intent, never drift), one taken out of the table removed, keepalived
asked at most every few seconds, and its last answer said STALE when it stops answering."""

from __future__ import annotations

import os

from lvstui.health.keepalived import KeepalivedChecks
from lvstui.health.sources import PublishedHealth, open_health
from lvstui.health.state import intents
from lvstui.keepalived.checkers import Verdict, parse
from lvstui.keepalived.state import CheckerState
from lvstui.model import parse_service

DATA = os.path.join(os.path.dirname(__file__), "data", "keepalived_check.data")
WEB = parse_service("10.9.9.9:80").key
MARK = parse_service("fwmark 7").key


class Keepalived:
    """A keepalived whose checker answers are set by the test; it counts the asks."""

    def __init__(self, verdicts=(), running=True):
        self.answer = CheckerState(running, tuple(verdicts), 0.0, True,
                                   pid=4242 if running else None)
        self.asks = 0

    def checkers(self) -> CheckerState:
        self.asks += 1
        return self.answer


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def source(keepalived, clock=None) -> KeepalivedChecks:
    clock = clock or Clock()
    return KeepalivedChecks(keepalived, every=5.0, clock=clock, monotonic=clock)


def test_keepalived_verdicts_are_each_servers_health():
    with open(DATA) as fh:
        keepalived = Keepalived(parse(fh.read()))
    state = source(keepalived).read()
    failed, alive = state.servers[(WEB, ("10.9.9.1", 80))], state.servers[(WEB, ("10.9.9.2", 80))]
    assert (failed.up, failed.result, failed.check, failed.weight) == (
        False, "1 of its checkers failing", "TCP_CHECK", 3)
    assert failed.removed and failed.action == "remove"      # no inhibit: out of the table
    assert (alive.up, alive.removed, alive.check) == (True, False,
                                                      "none (keepalived: always alive)")
    assert state.servers[(MARK, ("10.9.9.5", 0))].action == "quiesce"    # inhibit_on_failure
    assert state.running and state.source == "keepalived's checkers"


def test_an_inhibited_failure_is_a_checks_quiesce_not_the_operators():
    inhibited = Verdict("TCP 10.9.9.9:80", "10.9.9.1:80", False, 1, 3, ("HTTP_GET",), True, True)
    removed = Verdict("TCP 10.9.9.9:80", "10.9.9.2:80", False, 1, 4, ("HTTP_GET",), False, False)
    alive = Verdict("TCP 10.9.9.9:80", "10.9.9.3:80", True, 0, 5, ("HTTP_GET",), True, True)
    state = source(Keepalived([inhibited, removed, alive])).read()
    assert intents(state) == {(WEB, ("10.9.9.1", 80)): 3}    # kernel 0, intent 3


def test_keepalived_is_asked_at_most_every_few_seconds_and_its_silence_is_said():
    clock = Clock()
    keepalived = Keepalived([Verdict("TCP 10.9.9.9:80", "10.9.9.1:80", True, 0, 3)])
    checks = source(keepalived, clock)
    first = checks.read()
    clock.now += 4.9
    assert checks.read() is first and keepalived.asks == 1
    clock.now += 0.2
    checks.read()
    assert keepalived.asks == 2
    keepalived.answer = CheckerState(True, keepalived.answer.verdicts, 30.0, False,
                                     "keepalived (pid 4242) did not answer within 2 s")
    clock.now += 5
    stale = checks.read()
    assert not stale.running and stale.servers[(WEB, ("10.9.9.1", 80))].up
    assert checks.describe(stale) == ("keepalived's checkers: STALE (keepalived (pid 4242) did "
                                      "not answer within 2 s; last answer shown)")
    assert checks.describe(first) == "keepalived's checkers (pid 4242)"
    keepalived.answer = CheckerState(True, (), 0.0, True)    # it answers: no server now
    clock.now += 5
    assert checks.read().servers == {} and checks.read().running


def test_a_server_keeps_its_since_until_its_verdict_changes():
    clock = Clock()
    up = Verdict("TCP 10.9.9.9:80", "10.9.9.1:80", True, 0, 3)
    keepalived = Keepalived([up])
    checks = source(keepalived, clock)
    since = checks.read().servers[(WEB, ("10.9.9.1", 80))].since
    clock.now += 10
    assert checks.read().servers[(WEB, ("10.9.9.1", 80))].since == since
    keepalived.answer = CheckerState(True, (Verdict(up.service, up.server, False, 1, 3),), 0.0,
                                     True)
    clock.now += 10
    assert checks.read().servers[(WEB, ("10.9.9.1", 80))].since == clock.now


def test_a_groups_servers_and_an_unreadable_name_are_left_out():
    odd = [Verdict("group web", "10.9.9.1:80", True, 0, 1),
           Verdict("TCP 10.9.9.9:80", "not an address:x", True, 0, 1)]
    assert source(Keepalived(odd)).read().servers == {}


def test_open_health_takes_keepalived_only_where_it_declares_services(tmp_path):
    state = str(tmp_path / "none.json")
    keepalived = Keepalived()
    assert isinstance(open_health(None, None, False, state, None, {WEB: "k.conf:3"}, keepalived),
                      KeepalivedChecks)
    assert isinstance(open_health(None, None, False, state, None, {}, keepalived),
                      PublishedHealth)                     # control: nothing it checks
    assert isinstance(open_health(None, None, False, state, None, None, None), PublishedHealth)


def agent_state(*ha: str) -> dict:
    """The state the agent of this host answers a peer with (memory table, no monitor)."""
    import json
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "lvstui", "--backend", "memory", *ha,
                          "--health-state", "/nonexistent/health.json", "agent"],
                         input='{"id": 1, "op": "state"}\n', capture_output=True, text=True,
                         timeout=60)
    return json.loads(out.stdout.splitlines()[1])


def test_the_agent_answers_for_the_ha_manager_that_runs_there():
    """A peer under keepalived is read as keepalived (its state, its failover), not as a
    heartbeat with no ha.cf; the control, --ha heartbeat, names heartbeat."""
    said = agent_state("--ha", "keepalived")["heartbeat"]
    assert said["manager"] == "keepalived" and "keepalived is not running here" in said["error"]
    assert agent_state("--ha", "heartbeat")["heartbeat"]["manager"] == "heartbeat"
