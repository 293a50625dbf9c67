"""A drain asks first when the kernel's table, read now, has the server as its service's
last live one: never decided on a screen's last read, which may be stale either way."""

from dataclasses import replace

from lvstui.audit import AuditLog
from lvstui.demo import reference_cluster
from lvstui.session import Session


def session(tmp_path):
    return Session(reference_cluster(), audit=AuditLog(str(tmp_path / "audit.log")))


def weights(s):
    return {rs.address: rs.weight for rs in s.backend.services()[0].servers}


def test_the_last_live_server_is_asked_about_and_drained_on_yes(tmp_path):
    s = session(tmp_path)
    svc = s.backend.services()[0]
    first, last = svc.servers
    assert s.table.drain(svc, first, False).ok
    asked = s.table.drain(svc, last, False)
    assert asked.ask.startswith(f"Drain {last.endpoint}, the last live real server")
    assert weights(s)[last.address] > 0 and not asked.commands        # nothing made yet
    assert asked.confirmed().ok and weights(s)[last.address] == 0


def test_a_stale_read_that_shows_one_live_server_does_not_ask(tmp_path):
    s = session(tmp_path)
    svc = s.backend.services()[0]
    first, last = svc.servers
    stale = replace(svc, servers=[replace(first, weight=0), last])   # the kernel has both live
    done = s.table.drain(stale, last, False)
    assert not done.ask and done.ok and weights(s)[last.address] == 0


def test_control_a_stale_read_that_shows_two_live_servers_still_asks(tmp_path):
    s = session(tmp_path)
    svc = s.backend.services()[0]
    first, last = svc.servers
    s.table.drain(svc, first)                          # behind the screen's back
    asked = s.table.drain(svc, last, False)            # the screen still shows both live
    assert asked.ask and weights(s)[last.address] > 0
