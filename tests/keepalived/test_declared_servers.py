"""A real server added to or removed from a service keepalived.conf declares: lvstui asks whether
keepalived.conf gets it too (so a reload or restart keeps it), shows the diff, and on yes makes
the live change and the line edit — the new block with its siblings' checkers, in the file's
own style, accepted by keepalived 2.2.7 itself (``keepalived -t``) — each undone by u in turn;
no asks as for any live change of that service."""

from __future__ import annotations

import pytest

from lvstui.cases.managers import KeepalivedCluster
from lvstui.ipvs.memory import MemoryBackend
from lvstui.keepalived.conf import read
from lvstui.keepalived.weights import restarted
from lvstui.model import Forwarding, RealServer, parse_service
from lvstui.session import Session

from .corpus import BASE, cases
from .test_referee import facts, keepalived_refuses, write  # noqa: F401  (a fixture)

WEB = parse_service("172.26.46.119:80")
NEW = RealServer("172.26.46.82", 80, Forwarding.ROUTE, weight=3)


class Silent:
    """A keepalived that is not asked anything here."""

    def pid(self):
        return None


def session(conf: str) -> Session:
    """The live table as keepalived.conf asks for it, keepalived its HA manager."""
    table = MemoryBackend()
    for svc in restarted(read(conf))[0]:
        servers, svc.servers = svc.servers, []
        table.add_service(svc)
        for rs in servers:
            table.add_server(svc, rs)
    return Session(table, heartbeat=KeepalivedCluster(Silent(), "d1", conf))


def declared(conf: str) -> set:
    return {rs.key for svc in restarted(read(conf))[0] for rs in svc.servers}


def test_an_added_server_goes_into_keepalived_conf_too_on_yes(tmp_path, facts):
    conf = write(tmp_path, {"keepalived.conf": BASE})
    s = session(conf)
    asked = s.table.add(s.backend.find_service(WEB), NEW)
    assert asked.ask == ("Add 172.26.46.82:80 to keepalived.conf too, so a reload or restart "
                         "keeps it?")
    assert "+    real_server 172.26.46.82 80 {" in asked.detail
    assert "+        TCP_CHECK {" in asked.detail          # the last sibling's checker
    assert s.backend.find_service(WEB).server(*NEW.key) is None and open(conf).read() == BASE
    done = asked.confirmed()
    assert done.ok, done.error
    assert s.backend.find_service(WEB).server(*NEW.key).weight == 3
    assert NEW.key in declared(conf)
    refused, said = keepalived_refuses(conf)
    assert not refused, said
    s.journal.undo()                                       # the file edit first
    assert open(conf).read() == BASE and s.backend.find_service(WEB).server(*NEW.key)
    s.journal.undo()                                       # then the table
    assert s.backend.find_service(WEB).server(*NEW.key) is None


def test_a_removed_server_leaves_keepalived_conf_on_yes(tmp_path, facts):
    conf = write(tmp_path, {"keepalived.conf": BASE.replace("\n", "\r\n")})
    s = session(conf)
    svc = s.backend.find_service(WEB)
    asked = s.table.delete(svc, svc.server("172.26.46.80", 80))
    assert asked.ask.startswith("Remove 172.26.46.80:80 from keepalived.conf too")
    assert asked.confirmed().ok
    assert s.backend.find_service(WEB).server("172.26.46.80", 80) is None
    assert declared(conf) == {("172.26.46.81", 80)}
    text = open(conf, newline="").read()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")    # its own line ends
    assert "# the second one" in text                      # every other line kept
    refused, said = keepalived_refuses(conf)
    assert not refused, said


def test_no_asks_as_for_any_live_change_and_leaves_the_file(tmp_path):
    conf = write(tmp_path, {"keepalived.conf": BASE})
    s = session(conf)
    asked = s.table.add(s.backend.find_service(WEB), NEW)
    live = asked.declined()
    assert live.ask.startswith("keepalived sets the real servers of TCP 172.26.46.119:80")
    assert live.confirmed().ok
    assert s.backend.find_service(WEB).server(*NEW.key) and open(conf).read() == BASE


def test_the_control_a_service_keepalived_does_not_declare_is_changed_at_once(tmp_path):
    conf = write(tmp_path, {"keepalived.conf": BASE})
    s = session(conf)
    other = parse_service("10.9.9.9:25")
    s.backend.add_service(other)
    done = s.table.add(s.backend.find_service(other), NEW)
    assert not done.ask and done.ok and open(conf).read() == BASE


def test_a_block_sharing_its_lines_is_not_offered(tmp_path):
    assert BASE.endswith("        }\n    }\n}\n")
    one_line = BASE[:-len("    }\n}\n")] + "    } }\n"     # the service's brace shares a line
    conf = write(tmp_path, {"keepalived.conf": one_line})
    s = session(conf)
    asked = s.table.add(s.backend.find_service(WEB), NEW)
    assert asked.ask.startswith("keepalived sets the real servers")    # the live question


CASES = {name: files for name, files in cases()
         if name in ("tabs", "crlf", "include-glob", "vs-v6", "kind-nat", "kind-tun",
                     "misc-check", "smtp-check", "dns-check", "ssl-get", "inhibit",
                     "comment-hash", "sched-rr", "proto-udp", "sorry-server", "weight-0")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lvstui_offers_an_edit_exactly_where_keepalived_accepts_it(tmp_path, facts, name):
    """Over the corpus: a server added (a NAT one on another port: its copied checker's
    connect_port moved to it) and one removed. Where lvstui offers the edit, keepalived -t
    accepts the file and a restart has the server (or not); where it refuses (removing the
    last weight under a quorum), keepalived -t refuses the unchecked edit too."""
    from lvstui.keepalived.edits import add_server, remove_server
    conf = write(tmp_path, CASES[name])
    refused, said = keepalived_refuses(conf)
    assert not refused, said                  # a case keepalived accepts as it is
    config = read(conf)
    svc = restarted(config)[0][0]
    sibling = svc.servers[-1]
    port = 8080 if sibling.forwarding is Forwarding.MASQ else sibling.port
    new = RealServer("fd00::99" if svc.family == 6 else "172.26.46.99", port,
                     sibling.forwarding, weight=2, family=svc.family)
    manager = KeepalivedCluster(Silent(), "d1", conf)
    for adding, rs, unchecked in ((True, new, add_server(config, svc.key, new)[0]),
                                  (False, sibling, remove_server(config, svc.key,
                                                                 sibling.key)[0])):
        offered, why = manager.declare(svc.key, rs, adding)
        for path, text in (offered or unchecked).items():
            with open(path, "w", newline="") as fh:
                fh.write(text)
        refused, said = keepalived_refuses(conf)
        assert refused == (offered is None), (why, said)
        if offered is not None:
            keys = {r.key for r in restarted(read(conf))[0][0].servers}
            assert (rs.key in keys) == adding
        for path, text in CASES[name].items():               # the case again, for the next
            with open(tmp_path / path, "w", newline="") as fh:
                fh.write(text)


def test_a_server_keepalived_has_no_method_for_is_not_offered(tmp_path):
    """A local (director-itself) server: keepalived.conf has no lvs_method for it, so only the
    live question is asked (the file edit is not offered, nothing raised)."""
    conf = write(tmp_path, {"keepalived.conf": BASE})
    s = session(conf)
    local = RealServer("172.26.46.83", 80, Forwarding.LOCAL, weight=1)
    asked = s.table.add(s.backend.find_service(WEB), local)
    assert asked.ask.startswith("keepalived sets the real servers") and open(conf).read() == BASE
