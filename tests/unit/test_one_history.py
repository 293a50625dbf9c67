"""One history of actions: u takes back the newest action, whatever it is — a table change, a
heartbeat file written (its bytes back, and the reload again if one followed), a sysctl, a VIP —
or says in one line why it cannot (a failover), and never reaches past it to an older change."""

from __future__ import annotations

import os

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import SimulatedHeartbeat, SimulatedNetwork, reference_cluster
from lvstui.model import parse_service
from lvstui.session import Session

from ..helpers import REFERENCE_AUTHKEYS, REFERENCE_HA_CF, REFERENCE_HARESOURCES

WEB = parse_service("172.26.46.119:80")


@pytest.fixture
def session(tmp_path):
    d = tmp_path / "ha.d"
    d.mkdir()
    (d / "ha.cf").write_text(REFERENCE_HA_CF.replace("\n", "\r\n") + "# caf\xe9\r\n",
                             encoding="latin-1")        # an old director's file, bytes and all
    (d / "haresources").write_text(REFERENCE_HARESOURCES)
    (d / "authkeys").write_text(REFERENCE_AUTHKEYS)
    os.chmod(d / "authkeys", 0o600)
    network = SimulatedNetwork()
    return Session(reference_cluster(), network=network, heartbeat=SimulatedHeartbeat(network),
                   ha_dir=str(d), audit=AuditLog(str(tmp_path / "audit.log")))


def weight(session, address: str) -> int:
    return session.backend.find_service(WEB).server(address, 80).weight


def drain_then_write_deadtime(session):
    svc = session.backend.find_service(WEB)
    assert session.table.drain(svc, svc.servers[0]).ok
    proposal = session.ha.propose("ha.cf: deadtime 15", lambda c: c.ha_cf.set("deadtime", "15"))
    assert proposal.refused is None, proposal.refused
    assert session.ha.write(proposal).ok
    return svc.servers[0].address


def test_u_after_a_heartbeat_write_restores_the_file_and_leaves_the_table(session):
    path = os.path.join(session.ha.dir, "ha.cf")
    with open(path, "rb") as fh:
        before = fh.read()
    drained = drain_then_write_deadtime(session)
    with open(path, "rb") as fh:
        assert fh.read() != before
    undone = session.journal.undo()
    assert undone.ok and undone.commands == [f"write {path}  # undo"], undone
    with open(path, "rb") as fh:
        assert fh.read() == before                       # every byte: CRLF and Latin-1 too
    assert weight(session, drained) == 0                 # the older change is untouched
    redone = session.journal.redo()
    assert redone.ok and b"deadtime 15\r\n" in open(path, "rb").read()
    assert session.journal.undo().ok and session.journal.undo().ok       # the file, then the drain
    assert weight(session, drained) == 1
    audit = open(session.audit.path).read()
    assert f"write {path}  # undo" in audit and f"write {path}  # redo" in audit


def test_a_reload_after_the_write_is_made_again_by_u(session):
    drain_then_write_deadtime(session)
    reloads = []
    session.heartbeat.reload = lambda: reloads.append(1)
    assert session.ha.reload().ok and reloads == [1]
    undone = session.journal.undo()
    assert undone.ok and undone.commands[-1] == f"{session.ha.reload_command()}  # undo"
    assert reloads == [1, 1]


def test_u_after_a_failover_says_why_and_never_reaches_past_it(session):
    svc = session.backend.find_service(WEB)
    assert session.table.drain(svc, svc.servers[0]).ok
    assert session.ha.failover("standby", timeout=5).ok
    for _ in range(2):
        refused = session.journal.undo()
        assert refused.error == ("the last action (hb_standby) cannot be undone here: the "
                                 "reverse failover takes it back: press t (takeover), which "
                                 "asks first"), refused
        assert weight(session, svc.servers[0].address) == 0


def test_u_sets_a_profiles_old_sysctls_back_and_takes_a_vip_back(session):
    network = session.network
    old = dict(network.values)
    assert session.host.apply("real-server").ok and network.values != old
    assert session.host.vip_add("10.9.9.9").ok and "10.9.9.9" in network.vips()
    assert session.journal.undo().ok and "10.9.9.9" not in network.vips()
    assert network.values != old
    undone = session.journal.undo()
    assert undone.ok and network.values == old, undone
    assert all(c.startswith("sysctl -w ") and c.endswith("  # undo") for c in undone.commands)
    assert session.journal.redo().ok and network.values != old


def test_a_step_that_fails_stays_due_and_says_why(session):
    drain_then_write_deadtime(session)
    os.rename(session.ha.dir, session.ha.dir + ".away")       # the directory gone for a moment
    failed = session.journal.undo()
    assert not failed.ok and "No such file or directory" in failed.error, failed
    assert len(session.journal.undo_stack) == 2 and not session.journal.redo_stack
    os.rename(session.ha.dir + ".away", session.ha.dir)
    assert session.journal.undo().ok and len(session.journal.undo_stack) == 1


def test_retry_on_the_peer_after_an_action_of_this_director_says_why(session):
    drain_then_write_deadtime(session)
    session.pair.opener = lambda: None           # a peer attached (never reached here)
    refused = session.pair.retry()
    assert refused.error == ("the last action (ha.cf: deadtime 15) is this director's own: "
                             "nothing to retry on the peer"), refused


def test_a_sysctl_whose_old_value_was_unknown_is_not_guessed_back(session):
    name = next(iter(session.network.values))
    assert session.host.set(name, "1", None).ok
    refused = session.journal.undo()
    assert refused.error == (f"the last action (sysctl {name}) cannot be undone here: its "
                             "value before could not be read") and session.network.values[name] == "1"
