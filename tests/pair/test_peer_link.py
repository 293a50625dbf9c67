"""The peer over real OpenSSH on this host (sshd on loopback, keys made here), its agent a real
``lvstui agent`` with the demo's table: changes reach both, undo undoes both, "this director
only" does not reach it, and every way the peer can fail is one line."""

from __future__ import annotations

import os

import pytest

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.ipvs.operations import Kind, Operation
from lvstui.peer import Peer, PeerError
from lvstui.session import Session
from tests.pair.conftest import LVSTUI
from tests.pair.sshd import Sshd

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="sshd needs root")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    server = Sshd(tmp_path_factory.mktemp("sshd")).start()
    yield server
    server.stop()


def opener(sshd, command: str, **timeouts):
    return lambda: Peer.over_ssh("director2", command, str(sshd.config), "alice@rh1",
                                 **timeouts)


@pytest.fixture
def pair(sshd, tmp_path):
    """This director (the demo's table in memory) and its peer (an agent with the same)."""
    audit = tmp_path / "peer-audit.log"
    session = Session(reference_cluster(), audit=AuditLog(str(tmp_path / "audit.log")),
                      peer_opener=opener(sshd, f"{LVSTUI} --demo --audit-log {audit} "))
    yield session, audit
    session.pair.close()


def web(session):
    svc = session.backend.services()[0]
    return svc, svc.servers[0]


def peer_weight(session, svc, rs) -> int:
    return session.pair.connected().find_server(svc, *rs.key).weight


def test_a_drain_goes_to_both_and_undo_takes_it_back_on_both(pair):
    session, audit = pair
    svc, rs = web(session)
    assert session.pair_view.read().drift == []
    result = session.table.drain(svc, rs)
    assert result.ok and result.peer_error is None, result
    assert session.backend.find_server(svc, *rs.key).weight == 0
    assert peer_weight(session, svc, rs) == 0
    assert any(c.endswith("# on director2") for c in result.commands)
    line = audit.read_text().splitlines()[-1]
    assert "via=peer for=alice@rh1" in line and "-w 0" in line
    undone = session.journal.undo()
    assert undone.ok and undone.peer_error is None
    assert session.backend.find_server(svc, *rs.key).weight == 1
    assert peer_weight(session, svc, rs) == 1
    assert session.pair_view.read().drift == []


def test_this_director_only_does_not_reach_the_peer_and_shows_as_drift(pair):
    session, _ = pair
    svc, rs = web(session)
    session.pair.set_both(False)
    result = session.table.set_weight(svc, rs, lambda w: 7)
    assert result.ok and all("this director only" in c for c in result.commands)
    assert peer_weight(session, svc, rs) == 1
    view = session.pair_view.read()
    assert [op.command() for op in view.drift] == [
        f"ipvsadm -e -t 172.26.46.119:80 -r {rs.endpoint} -g -w 7"]
    synced = session.pair.sync()
    assert synced.ok and peer_weight(session, svc, rs) == 7
    assert session.pair_view.read().drift == []
    session.journal.undo()                                   # the sync: undone on the peer
    assert peer_weight(session, svc, rs) == 1


def test_an_edit_changes_on_the_peer_only_what_it_changed_here(pair):
    session, _ = pair
    svc, rs = web(session)
    session.pair.set_both(False)
    session.table.set_weight(svc, rs, lambda w: 3)          # the two now differ in the weight
    session.pair.set_both(True)
    edited = session.table.edit_server(svc, session.table.live_server(svc, rs),
                                 session.table.live_server(svc, rs).__class__(
                                     rs.address, rs.port, rs.forwarding, 3, upper_threshold=50))
    assert edited.ok and edited.peer_error is None
    there = session.pair.connected().find_server(svc, *rs.key)
    assert (there.weight, there.upper_threshold) == (1, 50)


def test_a_change_the_peer_cannot_make_stays_here_with_the_reason(pair):
    session, _ = pair
    svc, rs = web(session)
    session.pair.set_both(False)
    session.table.delete(svc, rs)                          # here only: the peer still has it
    session.pair.set_both(True)
    other = session.backend.find_service(svc).servers[0]
    session.pair.connected().apply([Operation(Kind.DELETE_SERVER, svc, other, before=other)])
    result = session.table.drain(svc, other)                # the peer no longer has this one
    assert result.ok and session.backend.find_server(svc, *other.key).weight == 0
    assert result.peer_error.startswith("director2: ") and "made on this director only" in \
        result.peer_error
    assert session.pair.retry().error                  # still not there: the retry says so


def write_script(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize("body, words", [
    ('echo \'{"agent": "lvstui", "protocol": 99, "version": "9.0"}\'; cat',
     "speaking agent protocol 99, this lvstui speaks 1"),
    ("echo 'usage: lvstui [-h]' >&2; echo 'lvstui: error: invalid choice: agent'; exit 2",
     "has no agent"),
    ("exit 3", "the agent ended (exit 3)"),
])
def test_a_peer_that_cannot_serve_is_said_in_one_line(sshd, tmp_path, body, words):
    script = write_script(tmp_path, "fake-lvstui", body)
    with pytest.raises(PeerError) as caught:
        opener(sshd, script)()
    message = str(caught.value)
    assert words in message and "\n" not in message, message


def test_a_peer_that_stops_answering_is_cut_off_in_time(sshd, tmp_path):
    script = write_script(tmp_path, "mute", 'echo \'{"agent": "lvstui", "protocol": 1}\'; '
                                            'sleep 60')
    peer = opener(sshd, script, timeout=1.0)()
    with pytest.raises(PeerError, match="no answer within 1 s"):   # the agent sleeps 60 s
        peer.services()
    peer.close()


def test_a_dead_peer_is_read_as_an_error_and_found_again(pair):
    session, _ = pair
    assert session.pair_view.read().error is None
    session.pair.link.link._proc.kill()                   # the link dies under the session
    session.pair.link.link._proc.wait()
    first = session.pair_view.read()
    second = session.pair_view.read()
    assert second.error is None and second.services, (first, second)
