"""The pair compares the operators' intent, not a health check's effect: a server quiesced by
a check on one director and serving on the other is no drift, and a sync never copies the
quiesce to the peer (issue 26). The peer is a real ``lvstui agent`` process (memory table) with
its own published health state."""

from __future__ import annotations

import sys
from dataclasses import replace

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.health.sources import PublishedHealth
from lvstui.health.state import HealthState, ServerHealth, write_state
from lvstui.ipvs.operations import diff
from lvstui.peer import AgentLink, Peer
from lvstui.session import Session

RS1, RS2 = "172.26.46.80", "172.26.46.81"


def quiesced_state(path, svc, address: str, weight: int = 1) -> PublishedHealth:
    """The published state of a monitor that took *address* to 0 (DOWN, HTTP 503)."""
    down = ServerHealth(False, 0.0, 1.0, None, "HTTP 503", "HTTP 503", 3, 0, weight, False,
                        False, False, "http /", 2.0, 2, 2, "quiesce")
    write_state(str(path), HealthState(True, 4242, 1.0, "health.toml",
                                       {(svc.key, (address, 80)): down}))
    return PublishedHealth(str(path))


@pytest.fixture
def pair(tmp_path):
    """This director (the reference table) and its peer (an agent holding the same table,
    its health state at peer-health.json)."""
    here = reference_cluster()
    state = tmp_path / "peer-health.json"
    peer = Peer(AgentLink("director2", [sys.executable, "-m", "lvstui", "--backend", "memory",
                                        "--health-state", str(state), "--audit-log",
                                        str(tmp_path / "peer-audit.log"), "agent"]))
    peer.apply(diff([], here.services()))
    session = Session(here, audit=AuditLog(str(tmp_path / "audit.log")),
                      hostname="director1", peer_opener=lambda: peer)
    yield session, peer, state
    session.pair.close()


def weights(services) -> dict[str, int]:
    return {rs.address: rs.weight for rs in services[0].servers}


def test_a_quiesce_here_is_no_drift_and_sync_leaves_the_peer_serving(pair, tmp_path):
    session, peer, _ = pair
    svc = session.backend.services()[0]
    session.backend.set_weight(svc, RS2, 80, 0)                   # the check's effect here
    session.health = quiesced_state(tmp_path / "health.json", svc, RS2)
    view = session.pair_view.read()
    assert view.drift == [] and view.error is None
    result = session.pair.sync()
    assert result.ok and result.commands == ["# director2 already equals director1"]
    assert weights(peer.table()) == {RS1: 1, RS2: 1}              # the peer keeps serving


def test_a_quiesce_on_the_peer_is_no_drift_either(pair):
    session, peer, state = pair
    svc = session.backend.services()[0]
    live = peer.find_server(svc, RS1, 80)
    from lvstui.ipvs.operations import Kind, Operation
    peer.apply([Operation(Kind.EDIT_SERVER, svc, replace(live, weight=0), before=live)])
    quiesced_state(state, svc, RS1)
    assert session.pair_view.read().drift == []
    assert session.pair.sync().commands == ["# director2 already equals director1"]
    assert weights(peer.table()) == {RS1: 0, RS2: 1}              # its monitor's to restore


def test_a_configured_difference_is_still_drift(pair, tmp_path):
    """The control: the operator's weight differs (and the quiesce is there too)."""
    session, peer, _ = pair
    svc = session.backend.services()[0]
    session.backend.set_weight(svc, RS2, 80, 0)
    session.health = quiesced_state(tmp_path / "health.json", svc, RS2)
    session.backend.set_weight(svc, RS1, 80, 5)                   # the operator's intent
    drift = [op.command() for op in session.pair_view.read().drift]
    assert drift == [f"ipvsadm -e -t 172.26.46.119:80 -r {RS1}:80 -g -w 5"]
    session.pair.sync()
    assert weights(peer.table()) == {RS1: 5, RS2: 1}


def test_drift_names_the_difference_of_health(pair, tmp_path, capsys):
    from lvstui.commands.pair import drift_peer
    session, _, _ = pair
    svc = session.backend.services()[0]
    session.backend.set_weight(svc, RS2, 80, 0)
    session.health = quiesced_state(tmp_path / "health.json", svc, RS2)
    assert drift_peer(session) == 0                                # equal in configuration
    assert capsys.readouterr().out == (
        f"# health: TCP 172.26.46.119:80 -> {RS2}:80: quiesced by a check on director1 "
        "(configured weight 1), not on director2\n")
