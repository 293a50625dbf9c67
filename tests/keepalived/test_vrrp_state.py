"""Two real keepalived 2.2.7 directors (VRRP only) in network namespaces on one veth link:
``lvstui ha status`` reads each one's instances from keepalived's own JSON dump (MASTER on the
higher priority, BACKUP on the other), follows a failover, and says a stopped keepalived is not
running and an answer that does not come is stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.pace import until

from .pair import Pair


def role(pair: Pair, n: int) -> str:
    lines = [line.split() for line in pair.status(n).stdout.splitlines()]
    return next((words[1] for words in lines if words[:1] == ["VI_1"]), "")


def test_each_directors_vrrp_state_as_keepalived_says_it(pair):
    until(lambda: role(pair, 1) == "MASTER" and role(pair, 2) == "BACKUP", 10,
          "d1 MASTER (priority 150) and d2 BACKUP")
    # a busy machine may leave keepalived's answer later than the 2 s a read waits: asked again
    shown = until(lambda: (lambda done: done if "answered now" in done.stdout else None)(
        pair.status(1)), 10, "an answer from d1's keepalived within a read")
    assert shown.returncode == 0, shown.stderr
    assert "vrid 51  eth0" in shown.stdout and "priority 150 (base 150)" in shown.stdout
    assert "VIPs 192.168.77.100/24" in shown.stdout
    pair.stop(1)                                             # the master goes away
    until(lambda: role(pair, 2) == "MASTER", 10, "d2 taking over as MASTER")
    gone = pair.status(1)
    assert gone.returncode == 1 and "keepalived is not running here" in gone.stdout


def test_an_answer_that_does_not_come_is_stale(pair):
    until(lambda: role(pair, 1) == "MASTER", 10, "d1 MASTER")
    vrrp_pid = int(open(f"{pair.dir(1)}/v.pid").read())
    os.kill(vrrp_pid, signal.SIGSTOP)                        # the VRRP process stops answering
    try:
        stale = pair.status(1)
    finally:
        os.kill(vrrp_pid, signal.SIGCONT)
    assert stale.returncode == 1
    assert "STALE: keepalived" in stale.stdout and "did not answer within" in stale.stdout
    assert "its last answer is" in stale.stdout and "VI_1" in stale.stdout


def test_the_consoles_peers_line_and_the_recorders_event_speak_keepalived(pair):
    """The console (peers line) and the recorder (failover events) read keepalived where it
    runs: its instances, not heartbeat's words; a failover asked where keepalived.conf has no
    lvstui track_file says what to add."""
    from lvstui.cases.managers import KeepalivedCluster
    from lvstui.ha import HeartbeatError
    from lvstui.history.events import observed_states
    from lvstui.keepalived.state import Keepalived
    from lvstui.ui.format import peers_text
    until(lambda: role(pair, 1) == "MASTER" and role(pair, 2) == "BACKUP", 10, "roles settled")
    here = KeepalivedCluster(Keepalived(f"{pair.dir(1)}/k.pid"), "d1",
                             f"{pair.dir(1)}/keepalived.conf")
    there = KeepalivedCluster(Keepalived(f"{pair.dir(2)}/k.pid"), "d2")
    assert peers_text(here.state()) == "keepalived: d1 (here): VI_1 MASTER (priority 150)"
    assert peers_text(there.state()) == "keepalived: d2 (here): VI_1 BACKUP (priority 100)"
    assert observed_states(None, here.state(), [], None) == {
        ("failover", "keepalived"): "d1: resources all"}
    with pytest.raises(HeartbeatError, match="declares no track_file lvstui_priority"):
        here.standby()


def test_ha_none_says_there_is_no_ha_manager(tmp_path):
    def run(action):
        return subprocess.run([sys.executable, "-m", "lvstui", "--audit-log", str(tmp_path / "a"),
                               "ha", action, "--ha", "none"], capture_output=True, text=True,
                              timeout=60)
    status, standby = run("status"), run("standby")
    assert status.returncode == 0 and "no HA manager on this director" in status.stdout
    assert standby.returncode == 1
